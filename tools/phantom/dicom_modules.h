#pragma once
/// Attribute helpers and the modules every phantom object shares (DCMTK; tools/ only).

#include <string>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcitem.h>

#include "tools/phantom/phantom_study.h"

namespace radnode::tools {

/// putAndInsertString that throws std::runtime_error naming the attribute.
void Put(DcmItem& item, const DcmTagKey& tag, const std::string& value);
void PutUs(DcmItem& item, const DcmTagKey& tag, Uint16 value);

/// Patient, General Study, Frame of Reference and General Equipment modules, identical in
/// the CT series, the RTSTRUCT and (through SegSourceSeries) the SEG of one phantom study.
void PutPatientStudyEquipment(DcmItem& item, const PhantomStudy& study);

} // namespace radnode::tools
