#include "server/errors.h"

#include <algorithm>
#include <cctype>

namespace redwing::errors {
namespace {

std::string Upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

}  // namespace

std::string UnknownCommand(std::string_view name, const std::string_view* args, size_t nargs) {
  // As Redis: each argument is quoted while the argument list stays under 128 characters.
  std::string listed;
  for (size_t i = 0; i < nargs && listed.size() < 128; ++i) {
    listed.append("'").append(args[i].substr(0, 128 - listed.size())).append("' ");
  }
  std::string msg = "ERR unknown command '";
  msg.append(name.substr(0, 128)).append("', with args beginning with: ").append(listed);
  return msg;
}

std::string UnknownSubcommand(std::string_view sub, std::string_view container) {
  return "ERR unknown subcommand '" + std::string(sub.substr(0, 128)) + "'. Try " +
         Upper(container) + " HELP.";
}

std::string WrongArity(std::string_view full_name) {
  return "ERR wrong number of arguments for '" + std::string(full_name) + "' command";
}

std::string InvalidExpire(std::string_view command) {
  return "ERR invalid expire time in '" + std::string(command) + "' command";
}

}  // namespace redwing::errors
