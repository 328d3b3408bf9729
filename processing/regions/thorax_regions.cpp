#include "processing/regions/thorax_regions.h"

#include "processing/regions/thorax_detail.h"

#include <exception>

namespace radnode::processing::regions {

ThoraxRegions SegmentThorax(const CtVolume& ct, const BoxMask& tumour, const ThoraxSettings& settings) {
    ThoraxRegions out;
    out.body.name = "body";
    try {
        std::string reason;
        out.body.mask = detail::SegmentBody(ct, settings, reason);
        out.body.found = !out.body.mask.Empty();
        out.body.reason = reason;
        if (!out.body.found) {
            for (DerivedRegion* r : {&out.airways, &out.lung_right, &out.lung_left, &out.heart, &out.aorta,
                                     &out.coronary_candidates})
                r->reason = "no body";
        } else {
            detail::SegmentLungs(ct, out.body.mask, tumour, settings, out);
            detail::SegmentHeart(ct, settings, out);
        }
    } catch (const std::exception& e) {
        // Bad allocation or an internal inconsistency: report it on every region not found.
        out.notes.push_back(std::string("segmentation failed: ") + e.what());
    }
    for (DerivedRegion* r : {&out.body, &out.airways, &out.lung_right, &out.lung_left, &out.heart, &out.aorta,
                             &out.coronary_candidates}) {
        if (!r->found && r->reason.empty())
            r->reason = out.notes.empty() ? "not derived" : out.notes.back();
        Measure(*r, ct.Geometry());
    }
    out.airways.name = "airways";
    out.lung_right.name = "lung_right";
    out.lung_left.name = "lung_left";
    out.heart.name = "heart";
    out.aorta.name = "aorta";
    out.coronary_candidates.name = "coronary_candidates";
    return out;
}

} // namespace radnode::processing::regions
