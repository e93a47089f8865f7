// libFuzzer target: the CSV reader (core/data/CsvReader) on arbitrary bytes.

#include "core/data/CsvReader.h"
#include "FuzzSupport.h"

TC_FUZZ_ENTRY {
    const QByteArray bytes = tc::fuzz::bytesOf(data, size);
    const tc::data::CsvReader::Document document = tc::data::CsvReader::parse(bytes);
    int previousLine = 0;
    for (const tc::data::CsvRecord& record : document.records) {
        tc::fuzz::require(record.line > previousLine, "records come in line order");
        tc::fuzz::require(record.damaged != record.problem.isEmpty(),
                          "a damaged record says why, a clean one does not");
        previousLine = record.line;
    }
    // A preview is a prefix of the whole document.
    const tc::data::CsvReader::Document preview = tc::data::CsvReader::parse(bytes, 2);
    tc::fuzz::require(preview.records.size() <= 2, "a preview holds at most maxRecords");
    for (size_t i = 0; i < preview.records.size(); ++i)
        tc::fuzz::require(i < document.records.size() &&
                              preview.records[i].fields == document.records[i].fields,
                          "a preview is a prefix of the document");
    return 0;
}
