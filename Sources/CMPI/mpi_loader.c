#include "CMPI.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

// Open MPI's handles are pointers to its predefined objects; the library's own header is not needed.
typedef void *mpi_handle;

static struct {
    int (*init_thread)(int *argc, char ***argv, int required, int *provided);
    int (*comm_rank)(mpi_handle comm, int *rank);
    int (*comm_size)(mpi_handle comm, int *size);
    int (*allreduce)(const void *send, void *receive, int count, mpi_handle type, mpi_handle op, mpi_handle comm);
    int (*iallreduce)(const void *send, void *receive, int count, mpi_handle type, mpi_handle op, mpi_handle comm,
                      mpi_handle *request);
    int (*test)(mpi_handle *request, int *flag, void *status);
    int (*wait)(mpi_handle *request, void *status);
    int (*bcast)(void *buffer, int count, mpi_handle type, int root, mpi_handle comm);
    int (*abort)(mpi_handle comm, int code);
    int (*finalize)(void);
    int (*finalized)(int *flag);
    mpi_handle comm_world, type_float, op_sum;
} mpi;

static const int thread_serialized = 2;   // MPI_THREAD_SERIALIZED in Open MPI's mpi.h
static void *const in_place = (void *)1;  // MPI_IN_PLACE in Open MPI's mpi.h
static void *const status_ignore = NULL;  // MPI_STATUS_IGNORE in Open MPI's mpi.h

static void finalize_at_exit(void) { cmpi_finalize(); }

int cmpi_init(char *reason, size_t capacity) {
    // RTLD_GLOBAL: Open MPI's plugins, which it dlopens in turn, resolve their symbols against libmpi.
    void *library = dlopen("libmpi.so.40", RTLD_NOW | RTLD_GLOBAL);
    if (!library) {
        snprintf(reason, capacity, "cannot load Open MPI (libmpi.so.40; install libopenmpi3 or openmpi-bin): %s", dlerror());
        return -1;
    }
    struct { const char *name; void **slot; } symbols[] = {
        {"MPI_Init_thread", (void **)&mpi.init_thread}, {"MPI_Comm_rank", (void **)&mpi.comm_rank},
        {"MPI_Comm_size", (void **)&mpi.comm_size}, {"MPI_Allreduce", (void **)&mpi.allreduce},
        {"MPI_Iallreduce", (void **)&mpi.iallreduce}, {"MPI_Test", (void **)&mpi.test}, {"MPI_Wait", (void **)&mpi.wait},
        {"MPI_Bcast", (void **)&mpi.bcast}, {"MPI_Abort", (void **)&mpi.abort},
        {"MPI_Finalize", (void **)&mpi.finalize}, {"MPI_Finalized", (void **)&mpi.finalized},
        {"ompi_mpi_comm_world", &mpi.comm_world}, {"ompi_mpi_float", &mpi.type_float},
        {"ompi_mpi_op_sum", &mpi.op_sum},
    };
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
        *symbols[i].slot = dlsym(library, symbols[i].name);
        if (!*symbols[i].slot) {
            snprintf(reason, capacity, "libmpi.so.40 has no symbol %s: is it Open MPI 4 or later?", symbols[i].name);
            return -1;
        }
    }
    int provided = 0;
    int status = mpi.init_thread(NULL, NULL, thread_serialized, &provided);
    if (status != 0) {
        snprintf(reason, capacity, "MPI_Init_thread failed with error %d", status);
        return -1;
    }
    if (provided < thread_serialized) {
        snprintf(reason, capacity, "Open MPI provides thread level %d, below MPI_THREAD_SERIALIZED", provided);
        mpi.abort(mpi.comm_world, 1);
        return -1;
    }
    atexit(finalize_at_exit);
    return 0;
}

int cmpi_rank(void) {
    int rank = 0;
    mpi.comm_rank(mpi.comm_world, &rank);
    return rank;
}

int cmpi_size(void) {
    int size = 1;
    mpi.comm_size(mpi.comm_world, &size);
    return size;
}

int cmpi_allreduce_sum_float(float *values, int count) {
    return mpi.allreduce(in_place, values, count, mpi.type_float, mpi.op_sum, mpi.comm_world);
}

int cmpi_start_allreduce_sum_float(float *values, int count, void **request) {
    return mpi.iallreduce(in_place, values, count, mpi.type_float, mpi.op_sum, mpi.comm_world, request);
}

int cmpi_test(void **request, int *done) { return mpi.test(request, done, status_ignore); }

int cmpi_wait(void **request) { return mpi.wait(request, status_ignore); }

int cmpi_broadcast_float(float *values, int count, int root) {
    return mpi.bcast(values, count, mpi.type_float, root, mpi.comm_world);
}

_Noreturn void cmpi_abort(int code) {
    mpi.abort(mpi.comm_world, code);
    exit(code);  // MPI_Abort does not return; the compiler cannot know
}

void cmpi_finalize(void) {
    int done = 1;
    if (mpi.finalized && mpi.finalized(&done) == 0 && !done) mpi.finalize();
}
