#pragma once

#include <QColor>

namespace tc::ui {

/// The colour of class `index` in every chart of the Data Wizard and the Test view, so that a
/// class looks the same everywhere (Tableau 10: distinct, colour-blind friendly for the
/// first few, legible on white).
inline QColor classColour(int index) {
    static const QColor colours[] = {QColor(0x4e, 0x79, 0xa7), QColor(0xf2, 0x8e, 0x2b),
                                     QColor(0x59, 0xa1, 0x4f), QColor(0xe1, 0x57, 0x59),
                                     QColor(0x76, 0xb7, 0xb2), QColor(0xed, 0xc9, 0x48),
                                     QColor(0xb0, 0x7a, 0xa1), QColor(0xff, 0x9d, 0xa7),
                                     QColor(0x9c, 0x75, 0x5f), QColor(0xba, 0xb0, 0xac)};
    constexpr int count = int(sizeof(colours) / sizeof(colours[0]));
    return colours[((index % count) + count) % count];
}

} // namespace tc::ui
