/*
 * linkage._hmac: HMAC-SHA256 of many messages laid out in one buffer.
 *
 * The partner tool hashes one short message per record and per pass. From
 * Python each message costs two hash-object copies and two method calls, and
 * that per-record overhead, not SHA-256, limits the rate. Here the inner pad
 * state (key ^ ipad, then the domain prefix) and the outer pad state
 * (key ^ opad) are computed once (RFC 2104), and each message costs two
 * struct copies and three SHA-256 compressions, with the GIL released so that
 * threads hashing disjoint spans run on separate cores.
 *
 * OpenSSL's low-level SHA256_* functions are deprecated in 3.0 in favour of
 * EVP, but EVP_MD_CTX_copy allocates and dispatches through the provider for
 * every message; the low-level context is a plain struct, copied for free,
 * and uses the same SHA-NI/AVX2 block functions.
 *
 * Error messages never include a key, a prefix or message bytes: they name
 * the argument and what the caller should pass instead.
 */

#define PY_SSIZE_T_CLEAN
#ifndef OPENSSL_API_COMPAT
#define OPENSSL_API_COMPAT 0x10100000L
#endif
#ifndef OPENSSL_SUPPRESS_DEPRECATED
#define OPENSSL_SUPPRESS_DEPRECATED
#endif

#include <Python.h>
#include <stdint.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#define BLOCK 64
#define TAG 32

/* Absorb the key into the two pad states; keys longer than a block are hashed first. */
static void
pad_states(const unsigned char *key, Py_ssize_t key_len, const unsigned char *prefix,
           Py_ssize_t prefix_len, SHA256_CTX *inner, SHA256_CTX *outer)
{
    unsigned char block[BLOCK];
    unsigned char pad[BLOCK];
    int i;

    memset(block, 0, sizeof block);
    if (key_len > BLOCK) {
        SHA256(key, (size_t)key_len, block);
    }
    else if (key_len > 0) {
        memcpy(block, key, (size_t)key_len);
    }
    for (i = 0; i < BLOCK; i++) {
        pad[i] = block[i] ^ 0x36;
    }
    SHA256_Init(inner);
    SHA256_Update(inner, pad, BLOCK);
    if (prefix_len > 0) {
        SHA256_Update(inner, prefix, (size_t)prefix_len);
    }
    for (i = 0; i < BLOCK; i++) {
        pad[i] = block[i] ^ 0x5c;
    }
    SHA256_Init(outer);
    SHA256_Update(outer, pad, BLOCK);
    OPENSSL_cleanse(block, sizeof block);
    OPENSSL_cleanse(pad, sizeof pad);
}

/* Return 1 if the format string names a native-order signed 64-bit integer. */
static int
is_int64_format(const char *format, Py_ssize_t itemsize)
{
    if (itemsize != 8 || format == NULL) {
        return 0;
    }
    if (*format == '@' || *format == '=') {
        format++;
    }
#if PY_LITTLE_ENDIAN
    else if (*format == '<') {
        format++;
    }
#else
    else if (*format == '>' || *format == '!') {
        format++;
    }
#endif
    return (strcmp(format, "q") == 0 || strcmp(format, "l") == 0);
}

/* Fill a C-contiguous buffer view or set TypeError/ValueError naming the argument. */
static int
get_contiguous(PyObject *obj, Py_buffer *view, int flags, const char *name)
{
    if (!PyObject_CheckBuffer(obj)) {
        PyErr_Format(PyExc_TypeError,
                     "%s must be a bytes-like object (bytes, bytearray, memoryview or a numpy array)",
                     name);
        return -1;
    }
    if (PyObject_GetBuffer(obj, view, flags | PyBUF_C_CONTIGUOUS) < 0) {
        PyErr_Clear();
        PyErr_Format(PyExc_ValueError,
                     "%s must be one C-contiguous buffer%s; pass a copy (bytes(...) or numpy.ascontiguousarray)",
                     name, (flags & PyBUF_WRITABLE) ? " and writable" : "");
        return -1;
    }
    return 0;
}

PyDoc_STRVAR(hmac_sha256_spans_doc,
"hmac_sha256_spans(key, prefix, data, starts, first, last, out=None)\n"
"--\n"
"\n"
"Return HMAC-SHA256(key, prefix || data[starts[i]:starts[i+1]]) for i in [first, last).\n"
"\n"
"key and prefix are bytes-like; data is any C-contiguous buffer, read as bytes;\n"
"starts is a C-contiguous one-dimensional buffer of native int64 offsets into data\n"
"(n + 1 of them for n messages), non-decreasing over [first, last].\n"
"\n"
"Without out, return a new bytes object of (last - first) * 32 bytes: the tags in\n"
"order. With out (a writable C-contiguous buffer of exactly (last - first) * 32\n"
"bytes), write the tags there and return None, so that threads hashing disjoint\n"
"spans can fill one array. The GIL is released while hashing.\n"
"\n"
"Raises TypeError for an argument that is not a buffer and ValueError for a\n"
"buffer of the wrong shape, type or size, or offsets out of order or range.");

static PyObject *
hmac_sha256_spans(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"key", "prefix", "data", "starts", "first", "last", "out", NULL};
    PyObject *key_obj, *prefix_obj, *data_obj, *starts_obj, *out_obj = Py_None;
    Py_ssize_t first, last;
    Py_buffer key = {0}, prefix = {0}, data = {0}, starts = {0}, out = {0};
    PyObject *result = NULL;
    unsigned char *dest;
    Py_ssize_t n, count, i;
    const int64_t *offsets;
    const unsigned char *base;
    int64_t data_len;
    int bad = 0;
    SHA256_CTX inner, outer, work;
    unsigned char digest[TAG];

    (void)module;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOOOnn|O:hmac_sha256_spans", keywords,
                                     &key_obj, &prefix_obj, &data_obj, &starts_obj, &first,
                                     &last, &out_obj)) {
        return NULL;
    }
    if (get_contiguous(key_obj, &key, PyBUF_SIMPLE, "key") < 0) {
        goto done;
    }
    if (get_contiguous(prefix_obj, &prefix, PyBUF_SIMPLE, "prefix") < 0) {
        goto done;
    }
    if (get_contiguous(data_obj, &data, PyBUF_SIMPLE, "data") < 0) {
        goto done;
    }
    if (get_contiguous(starts_obj, &starts, PyBUF_FORMAT | PyBUF_ND, "starts") < 0) {
        goto done;
    }
    if (starts.ndim != 1 || !is_int64_format(starts.format, starts.itemsize)) {
        PyErr_SetString(PyExc_ValueError,
                        "starts must be a one-dimensional array of int64 offsets (numpy dtype int64)");
        goto done;
    }
    n = starts.shape[0];
    if (first < 0 || last < first || last >= n) {
        PyErr_SetString(PyExc_ValueError,
                        "first and last must satisfy 0 <= first <= last < len(starts); "
                        "starts holds one more offset than there are messages");
        goto done;
    }
    count = last - first;
    if (count > PY_SSIZE_T_MAX / TAG) {
        PyErr_SetString(PyExc_ValueError, "too many messages for one call; hash the spans in parts");
        goto done;
    }
    offsets = (const int64_t *)starts.buf;
    base = (const unsigned char *)data.buf;
    data_len = (int64_t)data.len;

    if (out_obj == Py_None) {
        result = PyBytes_FromStringAndSize(NULL, count * TAG);
        if (result == NULL) {
            goto done;
        }
        dest = (unsigned char *)PyBytes_AS_STRING(result);
    }
    else {
        if (get_contiguous(out_obj, &out, PyBUF_WRITABLE, "out") < 0) {
            goto done;
        }
        if (out.len != count * TAG) {
            PyErr_SetString(PyExc_ValueError,
                            "out must hold exactly 32 bytes per message: (last - first) * 32 bytes");
            goto done;
        }
        dest = (unsigned char *)out.buf;
    }

    /*
     * The views stay held until the end, so no exporter can resize or free
     * them while the GIL is released. Offsets are checked in full before any
     * tag is written: a caller never receives tags for a prefix of a bad batch.
     */
    Py_BEGIN_ALLOW_THREADS
    if (offsets[first] < 0 || offsets[last] > data_len) {
        bad = 1;
    }
    for (i = first; !bad && i < last; i++) {
        if (offsets[i + 1] < offsets[i]) {
            bad = 2;
        }
    }
    if (!bad) {
        pad_states((const unsigned char *)key.buf, key.len, (const unsigned char *)prefix.buf,
                   prefix.len, &inner, &outer);
        for (i = first; i < last; i++) {
            work = inner;
            SHA256_Update(&work, base + offsets[i], (size_t)(offsets[i + 1] - offsets[i]));
            SHA256_Final(digest, &work);
            work = outer;
            SHA256_Update(&work, digest, TAG);
            SHA256_Final(dest, &work);
            dest += TAG;
        }
        OPENSSL_cleanse(&inner, sizeof inner);
        OPENSSL_cleanse(&outer, sizeof outer);
        OPENSSL_cleanse(&work, sizeof work);
        OPENSSL_cleanse(digest, sizeof digest);
    }
    Py_END_ALLOW_THREADS

    if (bad == 1) {
        PyErr_SetString(PyExc_ValueError,
                        "starts must lie within the data buffer: the first offset at least 0 "
                        "and the last at most len(data)");
    }
    else if (bad == 2) {
        PyErr_SetString(PyExc_ValueError,
                        "starts must be non-decreasing: each message ends where the next begins");
    }
    else if (out_obj != Py_None) {
        result = Py_NewRef(Py_None);
    }

done:
    if (bad || PyErr_Occurred()) {
        Py_CLEAR(result);
    }
    if (key.obj != NULL) {
        PyBuffer_Release(&key);
    }
    if (prefix.obj != NULL) {
        PyBuffer_Release(&prefix);
    }
    if (data.obj != NULL) {
        PyBuffer_Release(&data);
    }
    if (starts.obj != NULL) {
        PyBuffer_Release(&starts);
    }
    if (out.obj != NULL) {
        PyBuffer_Release(&out);
    }
    return result;
}

static PyMethodDef hmac_methods[] = {
    {"hmac_sha256_spans", (PyCFunction)(void (*)(void))hmac_sha256_spans,
     METH_VARARGS | METH_KEYWORDS, hmac_sha256_spans_doc},
    {NULL, NULL, 0, NULL},
};

PyDoc_STRVAR(module_doc,
"HMAC-SHA256 of many messages in one buffer, through OpenSSL, without the GIL.\n"
"\n"
"The fast path of linkage.match_keys; linkage works without it (pure Python).");

static struct PyModuleDef hmac_module = {
    PyModuleDef_HEAD_INIT,
    "linkage._hmac",
    module_doc,
    0,
    hmac_methods,
    NULL,
    NULL,
    NULL,
    NULL,
};

PyMODINIT_FUNC
PyInit__hmac(void)
{
    PyObject *module = PyModule_Create(&hmac_module);
    if (module == NULL) {
        return NULL;
    }
    if (PyModule_AddStringConstant(module, "OPENSSL_VERSION", OpenSSL_version(OPENSSL_VERSION)) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
