#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace redwing {

// Incremental parser for client requests: RESP multibulk frames ("*2\r\n$3\r\nGET\r\n...") and
// inline commands ("GET key\r\n"), with Redis 7's acceptance rules and error texts.
//
// Contract: the caller keeps unconsumed input contiguous and passes all of it on every call
// (it may move it, e.g. when compacting or growing its buffer; the parser keeps offsets, not
// pointers). A frame may arrive one byte at a time: the parser remembers how far it got, so
// input is scanned once, and a bulk argument is never copied (args() point into the caller's
// input; only inline arguments, which need unescaping, live in the parser).
//
// Owned by one connection; not thread-safe.
class RespParser {
 public:
  enum class Status { kNeedMore, kCommand, kError };

  // Redis's PROTO_INLINE_MAX_SIZE: the longest inline request or header line.
  static constexpr size_t kMaxInlineSize = 64 * 1024;

  explicit RespParser(size_t max_bulk_len = 512 * 1024 * 1024) : max_bulk_len_(max_bulk_len) {}

  void set_max_bulk_len(size_t n) { max_bulk_len_ = n; }

  // Parses at most one command from `input`. On kCommand, *consumed is the frame's length and
  // args() holds its arguments (possibly none, for an empty inline line or "*0": skip those).
  // On kNeedMore, *consumed is 0. On kError, error() is the reply text (without "-").
  Status Parse(std::string_view input, size_t* consumed);

  const std::vector<std::string_view>& args() const { return args_; }
  const std::string& error() const { return error_; }

  // Bytes the current partial frame needs in total before parsing can progress (a hint for
  // sizing the read buffer so a large bulk is read in place); 0 when unknown.
  size_t BytesWanted() const { return wanted_; }

 private:
  Status ParseInline(std::string_view input, size_t* consumed);
  Status ParseMultibulk(std::string_view input, size_t* consumed);
  Status Fail(std::string msg);
  void ResetFrame();

  size_t max_bulk_len_;
  // State of the frame in progress (offsets are relative to the frame's first byte).
  int64_t multibulk_left_ = -1;  // -1: header not yet read
  int64_t bulk_len_ = -1;        // -1: expecting a "$<len>" line
  size_t pos_ = 0;               // where parsing resumes
  size_t wanted_ = 0;
  std::vector<std::pair<size_t, size_t>> spans_;  // (offset, length) of finished arguments
  std::vector<std::string_view> args_;
  std::string inline_storage_;
  std::string error_;
};

// Splits an inline request line into arguments as Redis's sdssplitargs does (quotes, escapes).
// Returns false on unbalanced quotes. Arguments are appended to `storage`, separated implicitly by
// the lengths stored in `lengths`.
bool SplitInlineArgs(std::string_view line, std::string* storage, std::vector<size_t>* lengths);

}  // namespace redwing
