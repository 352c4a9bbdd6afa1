#pragma once

#include <string_view>

namespace redwing {

// Redis's glob-style matching (KEYS, SCAN MATCH, CONFIG GET, PSUBSCRIBE): '*', '?', '[...]' with
// ranges and '^' negation, '\' escapes. Runs in O(|pattern| * |text|) worst case (no exponential
// backtracking). Pure function, thread-safe.
bool GlobMatch(std::string_view pattern, std::string_view text, bool nocase = false);

}  // namespace redwing
