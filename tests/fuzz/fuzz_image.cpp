// libFuzzer target: the image inspector (core/data/ImageInspector) on arbitrary bytes: it
// reads headers and structure of PNG, JPEG, TIFF, BMP and WebP without decoding pixels.

#include "core/data/ImageInspector.h"
#include "FuzzSupport.h"

TC_FUZZ_ENTRY {
    const tc::data::ImageInspection inspection =
        tc::data::ImageInspector::inspect(tc::fuzz::bytesOf(data, size));
    if (!inspection.ok())
        return 0;
    const tc::data::ImageInfo& info = inspection.info;
    tc::fuzz::require(info.width > 0 && info.height > 0, "an accepted image has a size");
    tc::fuzz::require(qint64(info.width) * info.height <= tc::data::ImageInspector::kMaxPixels,
                      "an accepted image is within the pixel limit");
    tc::fuzz::require(info.channels >= 1 && info.channels <= 4, "1 to 4 channels");
    return 0;
}
