#pragma once

// qcustomplot.h is written with Qt's lower-case keyword macros (signals, slots, emit,
// foreach), which this project disables with QT_NO_KEYWORDS because LibTorch uses `slots` as
// an identifier. Define them for the duration of that one header only.
#define signals Q_SIGNALS
#define slots Q_SLOTS
#define emit Q_EMIT
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef signals
#undef slots
#undef emit
#undef foreach
