#include "server/commands/command_helpers.h"

namespace redwing {

void RegisterSortedSetCommands(CommandRegistry& r) {
  (void)r;
}

}  // namespace redwing
