#pragma once
#include "engine/base/low.h"  // downward: fine
#include "dsl/parser.h"  // upward: the engine never includes dsl/
