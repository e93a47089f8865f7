#pragma once

#include <QString>

namespace tc::util {

/// One line describing the exception being handled, for the catch (...) at a command's or a
/// worker thread's boundary, where an exception must become a message instead of a
/// std::terminate: "out of memory (std::bad_alloc)" for a failed allocation, the first line
/// of what() for any std::exception (c10::Error and cv::Exception append a backtrace or the
/// source location on later lines), "an unknown exception" otherwise. Call it only inside a
/// catch block.
QString describeCurrentException();

} // namespace tc::util
