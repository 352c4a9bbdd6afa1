// The shard's work queue: key locks held by split operations, lends waiting for them, and the
// order in which queued work runs. Driven from the test thread (no workers run).

#include "server/shard.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "storage/hash_table.h"

namespace redwing {
namespace {

// Work on some keys, as a batch of commands is: waits while any of them is locked.
class RecordingWork final : public ShardWork {
 public:
  RecordingWork(Shard* shard, std::vector<std::string>* log, std::string name,
                std::vector<uint64_t> keys)
      : ShardWork(shard), log_(log), name_(std::move(name)), keys_(std::move(keys)) {}
  WorkResult Execute() override {
    if (shard()->KeysLocked(keys_)) return WorkResult::kBlocked;
    log_->push_back(name_);
    return WorkResult::kDone;
  }

 private:
  std::vector<std::string>* log_;
  std::string name_;
  std::vector<uint64_t> keys_;
};

// A multi-shard operation's acquisition: lends the whole shard (to a dummy holder: no worker
// runs here), once no key is locked.
class LendingWork final : public ShardWork {
 public:
  LendingWork(Shard* shard, std::vector<std::string>* log, std::string name)
      : ShardWork(shard), log_(log), name_(std::move(name)) {}
  WorkResult Execute() override {
    if (shard()->AnyKeyLocked()) return WorkResult::kBlocked;
    log_->push_back(name_);
    shard()->Lend(reinterpret_cast<Worker*>(this));
    return WorkResult::kLent;
  }
  bool is_lend() const override { return true; }

 private:
  std::vector<std::string>* log_;
  std::string name_;
};

class ShardQueueTest : public ::testing::Test {
 protected:
  Shard shard_{0, 1, nullptr};
  std::vector<std::string> log_;
  const uint64_t a_ = HashKey("a");
  const uint64_t b_ = HashKey("b");
};

TEST_F(ShardQueueTest, FreeWorkRunsAtOnce) {
  RecordingWork w(&shard_, &log_, "w", {a_});
  shard_.Enqueue(&w);
  EXPECT_EQ(log_, std::vector<std::string>({"w"}));
  EXPECT_TRUE(shard_.Available());
  EXPECT_TRUE(shard_.CanLend());
}

TEST_F(ShardQueueTest, WorkOnLockedKeysWaitsAndOtherKeysGoOn) {
  std::vector<uint64_t> locked = {a_};
  shard_.LockKeys(locked);
  EXPECT_TRUE(shard_.KeyLocked(a_));
  EXPECT_FALSE(shard_.KeyLocked(b_));
  EXPECT_FALSE(shard_.CanLend());
  RecordingWork on_a(&shard_, &log_, "on_a", {a_});
  RecordingWork on_b(&shard_, &log_, "on_b", {b_});
  shard_.Enqueue(&on_a);
  shard_.Enqueue(&on_b);
  EXPECT_EQ(log_, std::vector<std::string>({"on_b"}));
  EXPECT_TRUE(shard_.Available());  // a blocked command does not stop the shard
  shard_.UnlockKeys(locked);
  EXPECT_EQ(log_, std::vector<std::string>({"on_b", "on_a"}));
  EXPECT_FALSE(shard_.AnyKeyLocked());
}

TEST_F(ShardQueueTest, LocksCountNestedHolders) {
  std::vector<uint64_t> twice = {a_, a_};
  std::vector<uint64_t> once = {a_};
  shard_.LockKeys(twice);
  shard_.UnlockKeys(once);
  EXPECT_TRUE(shard_.KeyLocked(a_));
  shard_.UnlockKeys(once);
  EXPECT_FALSE(shard_.KeyLocked(a_));
}

// A lend waits for every key lock to go; work arriving behind it waits for the lend, even if its
// own keys are free, so a stream of split operations cannot starve it.
TEST_F(ShardQueueTest, LendWaitsForKeyLocksAndLaterWorkWaitsForTheLend) {
  std::vector<uint64_t> locked = {a_};
  shard_.LockKeys(locked);
  LendingWork lend(&shard_, &log_, "lend");
  RecordingWork later(&shard_, &log_, "later", {b_});
  shard_.Enqueue(&lend);
  EXPECT_FALSE(shard_.Available());
  shard_.Enqueue(&later);
  EXPECT_TRUE(log_.empty());
  shard_.UnlockKeys(locked);
  EXPECT_EQ(log_, std::vector<std::string>({"lend"}));
  EXPECT_FALSE(shard_.Available());
  shard_.Release();
  EXPECT_EQ(log_, std::vector<std::string>({"lend", "later"}));
  EXPECT_TRUE(shard_.CanLend());
}

TEST_F(ShardQueueTest, QueuedWorkRunsInOrderAfterALend) {
  LendingWork lend(&shard_, &log_, "lend");
  shard_.Enqueue(&lend);
  RecordingWork w1(&shard_, &log_, "w1", {a_});
  RecordingWork w2(&shard_, &log_, "w2", {b_});
  LendingWork lend2(&shard_, &log_, "lend2");
  RecordingWork w3(&shard_, &log_, "w3", {a_});
  shard_.Enqueue(&w1);
  shard_.Enqueue(&w2);
  shard_.Enqueue(&lend2);
  shard_.Enqueue(&w3);
  shard_.Release();
  EXPECT_EQ(log_, std::vector<std::string>({"lend", "w1", "w2", "lend2"}));
  shard_.Release();
  EXPECT_EQ(log_, std::vector<std::string>({"lend", "w1", "w2", "lend2", "w3"}));
}

}  // namespace
}  // namespace redwing
