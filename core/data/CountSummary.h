#pragma once

#include <QString>
#include <utility>
#include <vector>

namespace tc::data {

/// "PNG (120), JPEG (3) and 2 more": the first `limit` entries of (name, count) pairs in the
/// order given, then how many were left out; "-" when there are none. One wording for the
/// data check's report (DatasetTable) and the Data Wizard's check page.
QString describeCounts(const std::vector<std::pair<QString, int>>& entries, int limit);

} // namespace tc::data
