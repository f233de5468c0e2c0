#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdlib>

int main(int argc, char* argv[]) {
  // `polc check --cache` needs a cache key (engine/cache.h, load_cache_key). The CLI tests run
  // polc as a child process: give them one in the environment, so no test creates a key file
  // in the home directory of whoever runs the suite. Tests of the key file unset it locally.
  ::setenv("POLC_CACHE_KEY", "polc-test-suite-cache-key-0123456789", 0);
  return Catch::Session().run(argc, argv);
}
