// Crash safety for real: a child process creates credentials as fast as it can and reports each
// ID once create() has returned; the parent kills it with SIGKILL at a random moment, then opens
// the store. The store must open, read without errors, and hold every reported credential.
#include <doctest/doctest.h>

#include <chrono>
#include <random>
#include <thread>

#include "tests/credstore/process_support.h"
#include "tests/credstore/store_test_support.h"

using namespace vfido;
using namespace vfido::test;

namespace {

template <typename Store>
void crash_rounds(StoreKind kind) {
  TempDir dir;
  const std::string path = dir.file("store.db");
  {
    auto made = Store::open(path, test_key(), create_options(kind, 0));
    REQUIRE(made.has_value());
  }
  std::random_device seed_source;
  const unsigned seed = seed_source();
  CAPTURE(seed);  // a failure names the seed that reproduces its kill points
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> delay_us(0, 150000);
  std::vector<Bytes> reported;
  constexpr int kRounds = 8;
  for (int round = 0; round < kRounds; ++round) {
    CAPTURE(round);
    Pipe ids;
    pid_t child = spawn([&] {
      ids.close_read();
      auto store = Store::open(path, test_key(), OpenOptions{});
      if (!store) return 10;
      SeededRng rng(static_cast<std::uint64_t>(1000 + round));
      for (std::uint32_t i = 0;; ++i) {
        Bytes user{static_cast<std::uint8_t>(round), static_cast<std::uint8_t>(i >> 16), static_cast<std::uint8_t>(i >> 8),
                   static_cast<std::uint8_t>(i)};
        auto id = (*store)->create(record("rp" + std::to_string(i % 7), user, true, rng), rng);
        if (!id) return 11;
        if (!ids.write_all(*id)) return 12;  // only after create() returned
      }
    });
    ids.close_write();
    const int wait = delay_us(gen);
    CAPTURE(wait);
    std::this_thread::sleep_for(std::chrono::microseconds(wait));
    REQUIRE(::kill(child, SIGKILL) == 0);
    CHECK(wait_child(child) == -SIGKILL);
    while (auto id = ids.read_exact(32, 1000)) reported.push_back(*id);

    auto store = Store::open(path, test_key(), OpenOptions{});
    REQUIRE_MESSAGE(store.has_value(), (store ? "" : store.error().message));
    auto all = (*store)->list_stored();
    REQUIRE_MESSAGE(all.has_value(), (*store)->last_error());
    CHECK(all->size() >= reported.size());
    std::size_t missing = 0;
    for (const Bytes& id : reported) {
      bool present = std::any_of(all->begin(), all->end(), [&](const CredentialRecord& c) { return c.id == id; });
      if (!present) ++missing;
    }
    CHECK(missing == 0);
  }
  MESSAGE("credentials reported before the kills: " << reported.size());
  CHECK(reported.size() > 0);  // the kills did not all land before the first commit
}

}  // namespace

TEST_CASE("sigkill: a device store killed while writing keeps every acknowledged credential") {
  crash_rounds<SqliteDeviceStore>(StoreKind::kDevice);
}

TEST_CASE("sigkill: a vault killed while writing keeps every acknowledged credential") {
  crash_rounds<SqliteVault>(StoreKind::kVault);
}
