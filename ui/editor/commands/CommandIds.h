#pragma once

namespace tc::ui {

/// QUndoCommand::id() values of the commands that merge with their predecessor. Commands that
/// never merge keep the default -1.
enum class CommandId {
    MoveNodes = 1,
    SetParameter = 2,
};

} // namespace tc::ui
