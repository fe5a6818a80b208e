/* Covers src/indicators/load_plain.c, load.c and set.c. */
/* libFuzzer harness for the plain indicator loader (see fuzz_ind.h). */
#include "fuzz_ind.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_ind_run(ind_load_plain, data, size);
}
