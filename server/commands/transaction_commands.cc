#include "server/commands/command_helpers.h"

namespace redwing {

void RegisterTransactionCommands(CommandRegistry& r) {
  (void)r;
}

}  // namespace redwing
