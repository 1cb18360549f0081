// SPDX-License-Identifier: GPL-2.0-or-later
// Must NOT compile: built with the model's include directories only (target
// zonelens_model_layering_probe), an I/O header is not reachable. ctest model-cannot-include-io
// builds it and expects the build to fail.
#include "zonelens/model.hpp"
#include "zonelens/snapshot.hpp"

int zonelens_layering_probe() { return zonelens::kDebugfsFormatVersion; }
