#include <cstdio>
int main() { std::puts("polc"); return 0; }
