#include "roster/importer.h"

#include <gtest/gtest.h>
