#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace redwing {

// The result of one file operation: 0 or an errno value, with the operation's name for the log
// and for the error a client is given (`-MISCONF Errors writing to the page store: ...`).
struct [[nodiscard]] IoStatus {
  int error = 0;
  const char* op = "";
  bool ok() const { return error == 0; }
  std::string ToString() const;
  static IoStatus Ok() { return {}; }
};

// The seam through which the page store reads and writes its file: positional reads and writes,
// a durability barrier, the size. PosixPageFile is the real one; tests use an in-memory file that
// can be cut at any byte or made to fail (tests/unit/page_store_test.cc), as LevelDB's Env.
//
// Thread-safety: Read and Write at different offsets may run on different threads at once (the
// shard's thread reads records while its flusher writes pages); Sync and Size too.
class PageFile {
 public:
  virtual ~PageFile() = default;
  // Reads up to `n` bytes at `offset` into `buf`; *got is less than `n` only at the end of file.
  virtual IoStatus Read(uint64_t offset, char* buf, size_t n, size_t* got) = 0;
  // Writes all of `data` at `offset`, extending the file if needed.
  virtual IoStatus Write(uint64_t offset, std::span<const char> data) = 0;
  // Makes every completed Write durable (fdatasync).
  virtual IoStatus Sync() = 0;
  virtual uint64_t Size() = 0;
};

// Opens (creating it if missing) the file at `path` for reading and writing.
std::unique_ptr<PageFile> OpenPosixPageFile(const std::string& path, IoStatus* status);

}  // namespace redwing
