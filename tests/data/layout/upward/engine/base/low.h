#pragma once
#include "engine/scan/high.h"  // upward: base must not include scan
