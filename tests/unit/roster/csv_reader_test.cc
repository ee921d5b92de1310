#include "roster/csv_reader.h"

#include <gtest/gtest.h>
