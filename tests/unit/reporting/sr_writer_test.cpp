#include "reporting/feature_codes.h"
#include "reporting/sr_writer.h"
#include "tests/unit/temp_dir.h"

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmsr/dsrdoc.h>
#include <filesystem>
#include <gtest/gtest.h>
#include <limits>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace radnode::reporting {
namespace {

namespace fs = std::filesystem;
using ::radnode::test::TempDir;

constexpr const char* kStudyUid = "1.2.826.0.1.3680043.10.2.1";
constexpr const char* kCtSeriesUid = "1.2.826.0.1.3680043.10.2.2";
constexpr const char* kSegSeriesUid = "1.2.826.0.1.3680043.10.2.3";
constexpr const char* kSegUid = "1.2.826.0.1.3680043.10.2.4";
constexpr std::size_t kCtImages = 4;

const CodedConcept kVolume{"118565006", "SCT", "Volume"};
const CodedConcept kMm3{"mm3", "UCUM", "cubic millimeter"};

/// Tumour with volume, mean HU and eight features (one unmapped, one wavelet, one LoG); lungs; CAC.
SrInput Input() {
    SrInput input;
    SrSource& s = input.source;
    s.patient_study.patient_name = "TEST^SR";
    s.patient_study.patient_id = "SR-1";
    s.patient_study.patient_birth_date = "19600102";
    s.patient_study.patient_sex = "F";
    s.patient_study.study_instance_uid = kStudyUid;
    s.patient_study.study_date = "20240105";
    s.patient_study.study_time = "101500";
    s.patient_study.study_id = "S1";
    s.patient_study.accession_number = "ACC42";
    s.patient_study.referring_physician_name = "REF^DOC";
    s.patient_study.study_description = "CT THORAX";
    s.series_instance_uid = kCtSeriesUid;
    for (std::size_t k = 0; k < kCtImages; ++k) {
        s.sop_instance_uids.push_back("1.2.826.0.1.3680043.10.2.10." + std::to_string(k + 1));
    }
    input.seg.sop_instance_uid = kSegUid;
    input.seg.series_instance_uid = kSegSeriesUid;
    input.algorithm.version = "0.1.0";
    input.algorithm.parameters = {"binWidth: 25; resampledPixelSpacing: [1, 1, 1]"};
    input.instance.content_date = "20240106";
    input.instance.content_time = "083000";

    SrMeasurementGroup tumour;
    tumour.tracking_identifier = "Tumour GTV-1";
    tumour.tracking_uid = "1.2.826.0.1.3680043.10.2.20";
    tumour.finding = {"372087000", "SCT", "Neoplasm, Primary"};
    tumour.finding_site = CodedConcept{"39607008", "SCT", "Lung"};
    tumour.laterality = CodedConcept{"24028007", "SCT", "Right"};
    tumour.segment_number = 1;
    tumour.measurements.push_back({kVolume, 12345.625, kMm3, std::nullopt, std::nullopt});
    tumour.measurements.push_back({{"112031", "DCM", "Attenuation Coefficient"},
                                   -35.5,
                                   {"[hnsf'U]", "UCUM", "Hounsfield unit"},
                                   CodedConcept{"373098007", "SCT", "Mean"},
                                   std::nullopt});
    tumour.features = {
        {"original_shape_MeshVolume", 12001.5},
        {"original_shape_Sphericity", 0.8125},
        {"original_firstorder_Entropy", 4.25},
        {"original_firstorder_Kurtosis", 3.5}, // deliberately unmapped (not excess kurtosis)
        {"original_glcm_Contrast", 17.75},
        {"original_glszm_SmallAreaLowGrayLevelEmphasis", 0.0625}, // mislabelled "glcm" upstream
        {"wavelet-LLH_glcm_Contrast", 2.375},
        {"log-sigma-1-0-mm-3D_firstorder_Mean", -12.5},
    };
    tumour.signatures.push_back({"Example Rad-score", 0.42, "high", ""});
    tumour.signatures.push_back({"Other signature", std::nullopt, "", "feature original_glcm_MCC missing"});
    input.groups.push_back(tumour);

    SrMeasurementGroup lungs;
    lungs.tracking_identifier = "Lungs";
    lungs.tracking_uid = "1.2.826.0.1.3680043.10.2.21";
    lungs.finding = {"39607008", "SCT", "Lung"};
    lungs.finding_site = CodedConcept{"39607008", "SCT", "Lung"};
    lungs.laterality = CodedConcept{"51440002", "SCT", "Bilateral"};
    lungs.segment_number = 2;
    lungs.measurements.push_back({kVolume, 4.5e6, kMm3, std::nullopt, std::nullopt});
    input.groups.push_back(lungs);

    SrMeasurementGroup cac;
    cac.tracking_identifier = "Coronary calcium";
    cac.tracking_uid = "1.2.826.0.1.3680043.10.2.22";
    cac.finding = {"237897009", "SCT", "Vascular Calcification"};
    cac.finding_site = CodedConcept{"41801008", "SCT", "Coronary artery"};
    cac.segment_number = 3;
    cac.calcium = SrCalciumScore{true, "", 123.5, 101.25, 24.75, "III (mild to moderate, 101-400)"};
    input.groups.push_back(cac);
    return input;
}

/// One content item of the read-back tree, flattened in document order.
struct Item {
    std::size_t level = 0;
    DSRTypes::E_ValueType type = DSRTypes::VT_invalid;
    DSRTypes::E_RelationshipType relation = DSRTypes::RT_invalid;
    DSRCodedEntryValue concept_name;
    std::string text;        ///< TEXT / UIDREF value, or the NUM's numeric value string
    DSRCodedEntryValue code; ///< CODE value, or the NUM's unit
    std::string referenced_sop;
    std::vector<Uint16> segments;
};

std::vector<Item> Flatten(DSRDocument& doc) {
    std::vector<Item> items;
    DSRDocumentTree& tree = doc.getTree();
    if (tree.gotoRoot() == 0) {
        return items;
    }
    do {
        const DSRContentItem& c = tree.getCurrentContentItem();
        Item item;
        item.level = tree.getLevel();
        item.type = c.getValueType();
        item.relation = c.getRelationshipType();
        item.concept_name = c.getConceptName();
        if (item.type == DSRTypes::VT_Num) {
            const DSRNumericMeasurementValue& num = c.getNumericValue();
            item.text = num.getNumericValue().c_str();
            item.code = num.getMeasurementUnit();
        } else if (item.type == DSRTypes::VT_Code) {
            item.code = c.getCodeValue();
        } else if (item.type == DSRTypes::VT_Image) {
            const DSRImageReferenceValue& image = c.getImageReference();
            item.referenced_sop = image.getSOPInstanceUID().c_str();
            const DSRImageSegmentList& list = image.getSegmentList();
            for (size_t i = 1; i <= list.getNumberOfItems(); ++i) {
                item.segments.push_back(list.getItem(i));
            }
        } else {
            item.text = c.getStringValue().c_str();
        }
        items.push_back(std::move(item));
    } while (tree.iterate() != 0);
    return items;
}

bool Is(const DSRCodedEntryValue& code, const std::string& value, const std::string& scheme) {
    return code.getCodeValue() == value.c_str() && code.getCodingSchemeDesignator() == scheme.c_str();
}

/// Items of the measurement group whose tracking identifier is `tracking` (the container excluded).
std::vector<Item> Group(const std::vector<Item>& items, const std::string& tracking) {
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (!Is(items[i].concept_name, "125007", "DCM")) {
            continue;
        }
        std::vector<Item> group;
        for (std::size_t j = i + 1; j < items.size() && items[j].level > items[i].level; ++j) {
            group.push_back(items[j]);
        }
        for (const Item& item : group) {
            if (Is(item.concept_name, "112039", "DCM") && item.text == tracking) {
                return group;
            }
        }
    }
    return {};
}

/// The NUM with the given concept in `group` and the items below it (its modifiers).
std::vector<Item> Num(const std::vector<Item>& group, const std::string& value, const std::string& scheme,
                      const std::string& equivalent_meaning = "") {
    for (std::size_t i = 0; i < group.size(); ++i) {
        if (group[i].type != DSRTypes::VT_Num || !Is(group[i].concept_name, value, scheme)) {
            continue;
        }
        std::vector<Item> num{group[i]};
        for (std::size_t j = i + 1; j < group.size() && group[j].level > group[i].level; ++j) {
            num.push_back(group[j]);
        }
        if (equivalent_meaning.empty()) {
            return num;
        }
        for (const Item& item : num) {
            if (Is(item.concept_name, "121050", "DCM") && item.text == equivalent_meaning) {
                return num;
            }
        }
    }
    return {};
}

const Item* Find(const std::vector<Item>& items, const std::string& value, const std::string& scheme) {
    for (const Item& item : items) {
        if (Is(item.concept_name, value, scheme)) {
            return &item;
        }
    }
    return nullptr;
}

double Number(const Item& item) { return std::stod(item.text); }

struct Written {
    std::unique_ptr<TempDir> dir;
    fs::path file;
    SrWriteResult result;
};

Written Write(const SrInput& input) {
    Written written{std::make_unique<TempDir>("radnode-sr"), {}, {}};
    written.file = written.dir->Path() / "sr.dcm";
    written.result = WriteMeasurementReport(input, written.file);
    return written;
}

struct Loaded {
    DcmFileFormat file;
    DSRDocument doc;
};

std::unique_ptr<Loaded> Load(const fs::path& path) {
    auto loaded = std::make_unique<Loaded>();
    if (loaded->file.loadFile(path.string().c_str()).bad() ||
        loaded->doc.read(*loaded->file.getDataset(), DSRTypes::RF_readDigitalSignatures).bad()) {
        return nullptr;
    }
    return loaded;
}

/// Runs a shell command, returning its exit status and its stdout + stderr.
std::pair<int, std::string> RunCommand(const std::string& command) {
    std::string output;
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    if (pipe == nullptr) {
        return {-1, "popen failed"};
    }
    std::array<char, 4096> buffer{};
    while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) {
        output += buffer.data();
    }
    return {::pclose(pipe), output};
}

std::vector<std::string> LinesStartingWith(const std::string& text, const std::string& prefix) {
    std::vector<std::string> lines;
    std::istringstream stream(text);
    for (std::string line; std::getline(stream, line);) {
        if (line.rfind(prefix, 0) == 0) {
            lines.push_back(line);
        }
    }
    return lines;
}

TEST(SrWriterTest, WritesHeaderEvidenceAndFlags) {
    const Written written = Write(Input());
    ASSERT_TRUE(written.result.Ok()) << written.result.error;
    auto loaded = Load(written.file);
    ASSERT_NE(loaded, nullptr);
    DSRDocument& doc = loaded->doc;
    EXPECT_EQ(doc.getDocumentType(), DSRTypes::DT_EnhancedSR);
    EXPECT_EQ(doc.getCompletionFlag(), DSRTypes::CF_Complete);
    EXPECT_EQ(doc.getVerificationFlag(), DSRTypes::VF_Unverified);
    OFString value;
    DcmDataset& ds = *loaded->file.getDataset();
    const std::vector<std::pair<DcmTagKey, std::string>> copied{
        {DCM_PatientName, "TEST^SR"},     {DCM_PatientID, "SR-1"},          {DCM_PatientBirthDate, "19600102"},
        {DCM_PatientSex, "F"},            {DCM_StudyInstanceUID, kStudyUid}, {DCM_StudyDate, "20240105"},
        {DCM_StudyTime, "101500"},        {DCM_StudyID, "S1"},              {DCM_AccessionNumber, "ACC42"},
        {DCM_ReferringPhysicianName, "REF^DOC"}, {DCM_StudyDescription, "CT THORAX"}, {DCM_Modality, "SR"},
        {DCM_ContentDate, "20240106"},    {DCM_ContentTime, "083000"},
        {DCM_SOPClassUID, kEnhancedSrStorage},
        {DCM_SeriesInstanceUID, written.result.series_instance_uid},
        {DCM_SOPInstanceUID, written.result.sop_instance_uid},
    };
    for (const auto& [tag, expected] : copied) {
        ASSERT_TRUE(ds.findAndGetOFString(tag, value).good()) << DcmTag(tag).getTagName();
        EXPECT_EQ(value, expected.c_str()) << DcmTag(tag).getTagName();
    }
    EXPECT_EQ(written.result.sop_instance_uid.rfind("2.25.", 0), 0U);
    EXPECT_NE(written.result.series_instance_uid, written.result.sop_instance_uid);
    ASSERT_TRUE(loaded->file.getMetaInfo()->findAndGetOFString(DCM_MediaStorageSOPInstanceUID, value).good());
    EXPECT_EQ(value, written.result.sop_instance_uid.c_str());

    DSRSOPInstanceReferenceList& evidence = doc.getCurrentRequestedProcedureEvidence();
    EXPECT_EQ(evidence.getNumberOfInstances(), kCtImages + 1);
    for (std::size_t k = 0; k < kCtImages; ++k) {
        const std::string uid = "1.2.826.0.1.3680043.10.2.10." + std::to_string(k + 1);
        EXPECT_TRUE(evidence.gotoItem(kStudyUid, kCtSeriesUid, uid.c_str()).good()) << uid;
    }
    EXPECT_TRUE(evidence.gotoItem(kStudyUid, kSegSeriesUid, kSegUid).good());
    EXPECT_TRUE(doc.getPredecessorDocuments().isEmpty());
    EXPECT_TRUE(doc.getCodingSchemeIdentification().gotoItem("99RADNODE").good());
}

TEST(SrWriterTest, ReadsBackGroupsMeasurementsAndReferences) {
    const SrInput input = Input();
    const Written written = Write(input);
    ASSERT_TRUE(written.result.Ok()) << written.result.error;
    auto loaded = Load(written.file);
    ASSERT_NE(loaded, nullptr);
    const std::vector<Item> items = Flatten(loaded->doc);
    ASSERT_FALSE(items.empty());
    EXPECT_TRUE(Is(items.front().concept_name, "126000", "DCM")); // Imaging Measurement Report
    EXPECT_NE(Find(items, "121058", "DCM"), nullptr);             // Procedure reported

    for (const SrMeasurementGroup& spec : input.groups) {
        const std::vector<Item> group = Group(items, spec.tracking_identifier);
        ASSERT_FALSE(group.empty()) << spec.tracking_identifier;
        const Item* uid = Find(group, "112040", "DCM");
        ASSERT_NE(uid, nullptr);
        EXPECT_EQ(uid->text, spec.tracking_uid);
        const Item* finding = Find(group, "121071", "DCM");
        ASSERT_NE(finding, nullptr);
        EXPECT_TRUE(Is(finding->code, spec.finding.value, spec.finding.scheme));
        const Item* site = Find(group, "363698007", "SCT");
        ASSERT_NE(site, nullptr);
        EXPECT_TRUE(Is(site->code, spec.finding_site->value, spec.finding_site->scheme));
        const Item* segment = Find(group, "121191", "DCM");
        ASSERT_NE(segment, nullptr);
        EXPECT_EQ(segment->referenced_sop, kSegUid);
        EXPECT_EQ(segment->segments, std::vector<Uint16>{spec.segment_number});
        const Item* series = Find(group, "121232", "DCM");
        ASSERT_NE(series, nullptr);
        EXPECT_EQ(series->text, kCtSeriesUid);
    }

    const std::vector<Item> tumour = Group(items, "Tumour GTV-1");
    const std::vector<Item> volume = Num(tumour, "118565006", "SCT");
    ASSERT_FALSE(volume.empty());
    EXPECT_DOUBLE_EQ(Number(volume[0]), 12345.625);
    EXPECT_TRUE(Is(volume[0].code, "mm3", "UCUM"));
    const Item* algorithm = Find(volume, "111001", "DCM");
    ASSERT_NE(algorithm, nullptr);
    EXPECT_EQ(algorithm->text, "radnode");
    EXPECT_EQ(Find(volume, "111003", "DCM")->text, "0.1.0");
    EXPECT_EQ(Find(volume, "111002", "DCM")->text, input.algorithm.parameters[0]);
    const std::vector<Item> mean = Num(tumour, "112031", "DCM");
    ASSERT_FALSE(mean.empty());
    EXPECT_DOUBLE_EQ(Number(mean[0]), -35.5);
    const Item* derivation = Find(mean, "121401", "DCM");
    ASSERT_NE(derivation, nullptr);
    EXPECT_TRUE(Is(derivation->code, "373098007", "SCT"));
    const Item* laterality = Find(tumour, "272741003", "SCT");
    ASSERT_NE(laterality, nullptr);
    EXPECT_TRUE(Is(laterality->code, "24028007", "SCT"));

    // Every feature is a NUM carrying its PyRadiomics key as equivalent meaning.
    for (const SrFeature& feature : input.groups[0].features) {
        const FeatureKey key = *ParseFeatureKey(feature.key);
        const FeatureConcept expected = FeatureConceptOf(key.feature_class, key.feature);
        const std::vector<Item> num = Num(tumour, expected.code.value, expected.code.scheme, feature.key);
        ASSERT_FALSE(num.empty()) << feature.key;
        EXPECT_DOUBLE_EQ(Number(num[0]), feature.value) << feature.key;
        const Item* filter = Find(num, "IMGFILTER", "99RADNODE");
        EXPECT_EQ(filter != nullptr, key.image_type != "original") << feature.key;
        if (filter != nullptr) {
            EXPECT_EQ(filter->code.getCodeMeaning(), key.image_type.c_str());
        }
    }
    // Codes straight from the PS3.16 / IBSI tables, independent of the writer.
    EXPECT_FALSE(Num(tumour, "ACUI", "IBSI", "original_glcm_Contrast").empty());
    EXPECT_FALSE(Num(tumour, "ACUI", "IBSI", "wavelet-LLH_glcm_Contrast").empty());
    EXPECT_FALSE(Num(tumour, "TLU2", "IBSI", "original_firstorder_Entropy").empty());
    EXPECT_FALSE(Num(tumour, "5RAI", "IBSI", "original_glszm_SmallAreaLowGrayLevelEmphasis").empty());
    EXPECT_FALSE(Num(tumour, "Q4LE", "IBSI", "log-sigma-1-0-mm-3D_firstorder_Mean").empty());
    const std::vector<Item> mesh = Num(tumour, "RNU0", "IBSI", "original_shape_MeshVolume");
    ASSERT_FALSE(mesh.empty());
    EXPECT_TRUE(Is(mesh[0].code, "mm3", "UCUM"));
    const std::vector<Item> kurtosis = Num(tumour, FeatureConceptOf("firstorder", "Kurtosis").code.value, "99RADNODE",
                                           "original_firstorder_Kurtosis");
    ASSERT_FALSE(kurtosis.empty());
    EXPECT_TRUE(Is(kurtosis[0].code, "1", "UCUM"));

    const std::vector<Item> score = Num(tumour, SignatureScoreConcept("Example Rad-score").value, "99RADNODE");
    ASSERT_FALSE(score.empty());
    EXPECT_DOUBLE_EQ(Number(score[0]), 0.42);
    const Item* risk = Find(score, "SIGGROUP", "99RADNODE");
    ASSERT_NE(risk, nullptr);
    EXPECT_EQ(risk->code.getCodeMeaning(), "high");
    EXPECT_TRUE(Num(tumour, SignatureScoreConcept("Other signature").value, "99RADNODE").empty());
    const Item* reason = Find(tumour, "121106", "DCM");
    ASSERT_NE(reason, nullptr);
    EXPECT_NE(reason->text.find("original_glcm_MCC missing"), std::string::npos);

    const std::vector<Item> lungs = Group(items, "Lungs");
    const std::vector<Item> lung_volume = Num(lungs, "118565006", "SCT");
    ASSERT_FALSE(lung_volume.empty());
    EXPECT_DOUBLE_EQ(Number(lung_volume[0]), 4.5e6);

    const std::vector<Item> cac = Group(items, "Coronary calcium");
    const std::vector<Item> agatston = Num(cac, "450360000", "SCT");
    ASSERT_FALSE(agatston.empty());
    EXPECT_DOUBLE_EQ(Number(agatston[0]), 123.5);
    const Item* method = Find(agatston, "370129005", "SCT");
    ASSERT_NE(method, nullptr);
    EXPECT_TRUE(Is(method->code, "112055", "DCM"));
    const std::vector<Item> cac_volume = Num(cac, "112197", "DCM");
    ASSERT_FALSE(cac_volume.empty());
    EXPECT_DOUBLE_EQ(Number(cac_volume[0]), 101.25);
    EXPECT_TRUE(Is(cac_volume[0].code, "mm3", "UCUM"));
    const std::vector<Item> mass = Num(cac, "112199", "DCM");
    ASSERT_FALSE(mass.empty());
    EXPECT_DOUBLE_EQ(Number(mass[0]), 24.75);
    EXPECT_TRUE(Is(mass[0].code, "mg", "UCUM"));
    const Item* category = Find(cac, "CACRISK", "99RADNODE");
    ASSERT_NE(category, nullptr);
    EXPECT_EQ(category->type, DSRTypes::VT_Code);
    EXPECT_EQ(category->code.getCodeMeaning(), "III (mild to moderate, 101-400)");
}

TEST(SrWriterTest, CalciumNotComputedCarriesReason) {
    SrInput input = Input();
    input.groups[2].calcium = SrCalciumScore{false, "no heart region", 0.0, 0.0, 0.0, ""};
    const Written written = Write(input);
    ASSERT_TRUE(written.result.Ok()) << written.result.error;
    auto loaded = Load(written.file);
    ASSERT_NE(loaded, nullptr);
    const std::vector<Item> cac = Group(Flatten(loaded->doc), "Coronary calcium");
    const std::vector<Item> agatston = Num(cac, "450360000", "SCT");
    EXPECT_TRUE(agatston.empty());
    EXPECT_TRUE(Num(cac, "112197", "DCM").empty());
    const Item* reason = Find(cac, "121106", "DCM");
    ASSERT_NE(reason, nullptr);
    EXPECT_NE(reason->text.find("no heart region"), std::string::npos);
}

TEST(SrWriterTest, NonFiniteValueBecomesComment) {
    SrInput input = Input();
    input.groups[1].features.push_back({"original_glcm_Correlation", std::numeric_limits<double>::quiet_NaN()});
    const Written written = Write(input);
    ASSERT_TRUE(written.result.Ok()) << written.result.error;
    auto loaded = Load(written.file);
    ASSERT_NE(loaded, nullptr);
    const std::vector<Item> lungs = Group(Flatten(loaded->doc), "Lungs");
    EXPECT_TRUE(Num(lungs, "NI2N", "IBSI").empty());
    const Item* comment = Find(lungs, "121106", "DCM");
    ASSERT_NE(comment, nullptr);
    EXPECT_EQ(comment->text, "original_glcm_Correlation not computed: not a number");
}

TEST(SrWriterTest, ReferencesPredecessorAndKeepsGivenUids) {
    SrInput input = Input();
    input.instance.series_instance_uid = "1.2.826.0.1.3680043.10.2.30";
    input.instance.sop_instance_uid = "1.2.826.0.1.3680043.10.2.31";
    input.predecessor = SrPredecessor{"1.2.826.0.1.3680043.10.2.40", "1.2.826.0.1.3680043.10.2.41"};
    const Written written = Write(input);
    ASSERT_TRUE(written.result.Ok()) << written.result.error;
    EXPECT_EQ(written.result.sop_instance_uid, "1.2.826.0.1.3680043.10.2.31");
    auto loaded = Load(written.file);
    ASSERT_NE(loaded, nullptr);
    DSRSOPInstanceReferenceList& predecessors = loaded->doc.getPredecessorDocuments();
    EXPECT_EQ(predecessors.getNumberOfInstances(), 1U);
    EXPECT_TRUE(predecessors
                    .gotoItem(kStudyUid, "1.2.826.0.1.3680043.10.2.40", "1.2.826.0.1.3680043.10.2.41")
                    .good());
    OFString value;
    ASSERT_TRUE(loaded->file.getDataset()->findAndGetOFString(DCM_SeriesInstanceUID, value).good());
    EXPECT_EQ(value, "1.2.826.0.1.3680043.10.2.30");
}

TEST(SrWriterTest, RejectsInvalidInputWithoutWriting) {
    const std::vector<std::pair<std::string, void (*)(SrInput&)>> cases{
        {"no groups", [](SrInput& in) { in.groups.clear(); }},
        {"no tracking uid", [](SrInput& in) { in.groups[0].tracking_uid.clear(); }},
        {"duplicate tracking uid", [](SrInput& in) { in.groups[1].tracking_uid = in.groups[0].tracking_uid; }},
        {"no finding", [](SrInput& in) { in.groups[0].finding = {}; }},
        {"no segment", [](SrInput& in) { in.groups[0].segment_number = 0; }},
        {"bad key", [](SrInput& in) { in.groups[0].features.push_back({"diagnostics_Versions_PyRadiomics", 1.0}); }},
        {"no study", [](SrInput& in) { in.source.patient_study.study_instance_uid.clear(); }},
        {"no SEG", [](SrInput& in) { in.seg.sop_instance_uid.clear(); }},
        {"no version", [](SrInput& in) { in.algorithm.version.clear(); }},
    };
    for (const auto& [name, mutate] : cases) {
        SrInput input = Input();
        mutate(input);
        const Written written = Write(input);
        EXPECT_FALSE(written.result.Ok()) << name;
        EXPECT_FALSE(fs::exists(written.file)) << name;
    }
}

TEST(SrWriterTest, FeatureCodesFollowTheTables) {
    EXPECT_FALSE(ParseFeatureKey("diagnostics_Image-original_Mean").has_value());
    EXPECT_FALSE(ParseFeatureKey("original_glcm").has_value());
    const auto key = ParseFeatureKey("log-sigma-3-0-mm-3D_glrlm_RunEntropy");
    ASSERT_TRUE(key.has_value());
    EXPECT_EQ(key->image_type, "log-sigma-3-0-mm-3D");
    EXPECT_EQ(key->feature_class, "glrlm");
    EXPECT_EQ(key->feature, "RunEntropy");

    EXPECT_EQ(FeatureConceptOf("glrlm", "RunEntropy").code.value, "HJ9O");
    EXPECT_TRUE(FeatureConceptOf("glrlm", "RunEntropy").in_cid218);
    EXPECT_EQ(FeatureConceptOf("glszm", "HighGrayLevelZoneEmphasis").code.value, "K26C"); // "Grey" upstream
    EXPECT_EQ(FeatureConceptOf("glcm", "Imc1").code.value, "R8DG");
    const FeatureConcept mean = FeatureConceptOf("firstorder", "Mean");
    EXPECT_TRUE(mean.ibsi);
    EXPECT_FALSE(mean.in_cid218); // IBSI Q4LE is outside PS3.16
    const FeatureConcept kurtosis = FeatureConceptOf("firstorder", "Kurtosis");
    EXPECT_FALSE(kurtosis.ibsi);
    EXPECT_EQ(kurtosis.code.scheme, "99RADNODE");
    EXPECT_LE(kurtosis.code.value.size(), 16U);
    EXPECT_EQ(kurtosis.code.value, FeatureConceptOf("firstorder", "Kurtosis").code.value);
    EXPECT_NE(kurtosis.code.value, FeatureConceptOf("firstorder", "TotalEnergy").code.value);
    EXPECT_NE(ImageFilterCode("wavelet-LLH").value, ImageFilterCode("wavelet-HLL").value);
    EXPECT_LE(ImageFilterCode("log-sigma-1-0-mm-3D").value.size(), 16U);
}

TEST(SrWriterTest, PassesDciodvfy) {
    const fs::path tool = "/usr/bin/dciodvfy";
    if (!fs::exists(tool)) {
        GTEST_SKIP() << "dciodvfy (Debian dicom3tools) is not installed";
    }
    const Written written = Write(Input());
    ASSERT_TRUE(written.result.Ok()) << written.result.error;
    const auto [status, output] = RunCommand(tool.string() + " '" + written.file.string() + "'");
    EXPECT_TRUE(LinesStartingWith(output, "Error").empty()) << output;
    EXPECT_NE(output.find("EnhancedSR"), std::string::npos) << output; // it recognised the IOD
}

TEST(SrWriterTest, PassesPixelmedSrValidator) {
    const fs::path jar = "/usr/share/java/pixelmed.jar";
    if (!fs::exists(jar) || RunCommand("java -version").first != 0) {
        GTEST_SKIP() << "pixelmed-apps (" << jar << ") or java is not installed";
    }
    const Written written = Write(Input());
    ASSERT_TRUE(written.result.Ok()) << written.result.error;
    const auto [status, output] =
        RunCommand("java -Djdk.xml.xpathExprGrpLimit=0 -Djdk.xml.xpathExprOpLimit=0 -Djdk.xml.xpathTotalOpLimit=0 -cp " +
            jar.string() + " com.pixelmed.validate.DicomSRValidator '" + written.file.string() + "'");
    EXPECT_EQ(status, 0) << output;
    // The validator exits 0 whatever it finds: judge its report.
    EXPECT_NE(output.find("Found Root Template TID_1500"), std::string::npos) << output;
    EXPECT_TRUE(LinesStartingWith(output, "Error").empty()) << output;
    EXPECT_EQ(output.find("Exception"), std::string::npos) << output;
}

TEST(SrWriterTest, DsrdumpShowsTheValues) {
    const fs::path tool = "/usr/bin/dsrdump";
    if (!fs::exists(tool)) {
        GTEST_SKIP() << "dsrdump (Debian dcmtk) is not installed";
    }
    const Written written = Write(Input());
    ASSERT_TRUE(written.result.Ok()) << written.result.error;
    const auto [status, output] = RunCommand(tool.string() + " +Pc '" + written.file.string() + "'");
    ASSERT_EQ(status, 0) << output;
    for (const std::string expected :
         {"\"12345.625\" (mm3,UCUM,\"cubic millimeter\")", "\"123.5\" (1,UCUM,\"no units\")",
          "\"17.75\" (1,UCUM,\"no units\")", "(ACUI,IBSI,\"Contrast of GLCM\")", "\"wavelet-LLH_glcm_Contrast\"",
          "(450360000,SCT,\"Coronary artery calcium score\")", "(112055,DCM,\"Agatston scoring method\")",
          "\"Tumour GTV-1\""}) {
        EXPECT_NE(output.find(expected), std::string::npos) << expected << "\n" << output;
    }
}

} // namespace
} // namespace radnode::reporting
