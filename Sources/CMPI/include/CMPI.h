#ifndef CMPI_H
#define CMPI_H

#include <stddef.h>

/// Open MPI, found at run time: `distill` links no MPI library, so it builds and runs where none is installed.
/// `cmpi_init` loads libmpi.so.40 with dlopen and looks up the few functions and predefined handles
/// (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM are addresses of global objects in Open MPI's ABI) that data-parallel
/// training needs. Every call after a successful `cmpi_init` acts on MPI_COMM_WORLD; MPI's default error handler
/// (MPI_ERRORS_ARE_FATAL) ends the whole job on a communication failure.

/// Loads Open MPI and calls MPI_Init_thread (MPI_THREAD_SERIALIZED). Returns 0, or -1 with the reason written
/// to `reason` (at most `capacity` bytes, NUL-terminated). Registers MPI_Finalize with atexit.
int cmpi_init(char *_Nonnull reason, size_t capacity);

/// This process's rank in MPI_COMM_WORLD, and the number of processes.
int cmpi_rank(void);
int cmpi_size(void);

/// Sums `count` floats element-wise over all processes, in place (MPI_Allreduce with MPI_IN_PLACE). Returns
/// MPI's error code (0 is MPI_SUCCESS).
int cmpi_allreduce_sum_float(float *_Nonnull values, int count);

/// Starts summing `count` floats over all processes in place and returns at once (MPI_Iallreduce with
/// MPI_IN_PLACE); `*request` receives the handle to pass to `cmpi_test` or `cmpi_wait`. The floats must stay
/// untouched until the request completes. Returns MPI's error code.
int cmpi_start_allreduce_sum_float(float *_Nonnull values, int count, void *_Nullable *_Nonnull request);

/// Lets a started request progress; `*done` becomes 1 when it has completed (MPI_Test). Returns MPI's error code.
int cmpi_test(void *_Nullable *_Nonnull request, int *_Nonnull done);

/// Waits for a started request to complete (MPI_Wait). Returns MPI's error code.
int cmpi_wait(void *_Nullable *_Nonnull request);

/// Copies `count` floats from rank `root` to every process (MPI_Bcast). Returns MPI's error code.
int cmpi_broadcast_float(float *_Nonnull values, int count, int root);

/// Ends every process of the job with `code` (MPI_Abort).
_Noreturn void cmpi_abort(int code);

/// Finalises MPI now rather than at exit (idempotent).
void cmpi_finalize(void);

#endif
