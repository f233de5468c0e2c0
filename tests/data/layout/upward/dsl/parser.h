#pragma once
#include "cli/commands.h"  // upward: dsl/ never includes cli/
