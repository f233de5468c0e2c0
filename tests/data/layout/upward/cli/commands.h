#pragma once
#include "dsl/parser.h"
#include "engine/scan/high.h"
