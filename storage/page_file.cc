#include "storage/page_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace redwing {

std::string IoStatus::ToString() const {
  if (ok()) return "OK";
  return std::string(op) + ": " + std::strerror(error);
}

namespace {

class PosixPageFile final : public PageFile {
 public:
  explicit PosixPageFile(int fd) : fd_(fd) {}
  ~PosixPageFile() override { ::close(fd_); }

  IoStatus Read(uint64_t offset, char* buf, size_t n, size_t* got) override {
    *got = 0;
    while (*got < n) {
      ssize_t r = ::pread(fd_, buf + *got, n - *got, static_cast<off_t>(offset + *got));
      if (r < 0) {
        if (errno == EINTR) continue;
        return {errno, "read"};
      }
      if (r == 0) break;
      *got += static_cast<size_t>(r);
    }
    return IoStatus::Ok();
  }

  IoStatus Write(uint64_t offset, std::span<const char> data) override {
    size_t done = 0;
    while (done < data.size()) {
      ssize_t w =
          ::pwrite(fd_, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
      if (w < 0) {
        if (errno == EINTR) continue;
        return {errno, "write"};
      }
      done += static_cast<size_t>(w);
    }
    return IoStatus::Ok();
  }

  IoStatus Sync() override {
    while (::fdatasync(fd_) != 0) {
      if (errno != EINTR) return {errno, "fdatasync"};
    }
    return IoStatus::Ok();
  }

  uint64_t Size() override {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return 0;
    return static_cast<uint64_t>(st.st_size);
  }

 private:
  const int fd_;
};

}  // namespace

std::unique_ptr<PageFile> OpenPosixPageFile(const std::string& path, IoStatus* status) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    *status = {errno, "open"};
    return nullptr;
  }
  *status = IoStatus::Ok();
  return std::make_unique<PosixPageFile>(fd);
}

}  // namespace redwing
