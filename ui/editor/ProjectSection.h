#pragma once

namespace tc::ui {

/// The settings sections of a project file besides the graph (see graph::Project).
enum class ProjectSection { Dataset, Split, Preprocessing, Training };

} // namespace tc::ui
