# One warning set for every target: warnings are errors.
add_library(redwing_copts INTERFACE)
target_compile_options(redwing_copts INTERFACE
  -Wall -Wextra -Werror -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align
  -Wno-missing-field-initializers)
if(REDWING_SANITIZE STREQUAL "address")
  target_compile_options(redwing_copts INTERFACE -fsanitize=address,undefined
                         -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(redwing_copts INTERFACE -fsanitize=address,undefined)
elseif(REDWING_SANITIZE STREQUAL "thread")
  # Asio uses std::atomic_thread_fence, which GCC warns TSan cannot see; the fences it relies on
  # sit beside real atomics, so the warning is not an error here.
  target_compile_options(redwing_copts INTERFACE -fsanitize=thread -fno-omit-frame-pointer -Wno-tsan)
  target_link_options(redwing_copts INTERFACE -fsanitize=thread)
elseif(NOT REDWING_SANITIZE STREQUAL "")
  message(FATAL_ERROR "REDWING_SANITIZE must be empty, address or thread")
endif()
