"""The few Cryptoki calls and structures python-pkcs11 does not expose, through ctypes.

python-pkcs11 initialises the module with ``C_Initialize(NULL)`` (no threads) yet releases the GIL
around every call, which lets SoftHSM corrupt its heap under concurrency. ``initialize`` therefore
finalises and re-initialises the already loaded module with ``CKF_OS_LOCKING_OK``. ``GcmParams``
builds ``CK_GCM_PARAMS`` over an IV buffer the caller owns, so a token that generates the IV
(CloudHSM) can write it back.
"""

from __future__ import annotations

import ctypes

CKR_OK = 0
CKR_CRYPTOKI_NOT_INITIALIZED = 0x190
CKF_OS_LOCKING_OK = 0x2

_CK_RV = ctypes.c_ulong
_FN = ctypes.CFUNCTYPE(_CK_RV, ctypes.c_void_p)


class _InitializeArgs(ctypes.Structure):
    _fields_ = (
        ("CreateMutex", ctypes.c_void_p),
        ("DestroyMutex", ctypes.c_void_p),
        ("LockMutex", ctypes.c_void_p),
        ("UnlockMutex", ctypes.c_void_p),
        ("flags", ctypes.c_ulong),
        ("pReserved", ctypes.c_void_p),
    )


class _FunctionListHead(ctypes.Structure):
    """The start of CK_FUNCTION_LIST: the version, then C_Initialize and C_Finalize."""

    _fields_ = (
        ("major", ctypes.c_ubyte),
        ("minor", ctypes.c_ubyte),
        ("C_Initialize", _FN),
        ("C_Finalize", _FN),
    )


class CryptokiError(Exception):
    """A raw Cryptoki call returned something other than CKR_OK."""

    def __init__(self, function: str, rv: int) -> None:
        super().__init__(f"{function} returned {rv:#x}")
        self.function = function
        self.rv = rv


class FunctionList:
    """The module's own function list, reached through the same shared object python-pkcs11
    loaded (``dlopen`` of one path yields one instance)."""

    def __init__(self, module_path: str) -> None:
        self._dll = ctypes.CDLL(module_path)
        pointer = ctypes.POINTER(_FunctionListHead)()
        rv = self._dll.C_GetFunctionList(ctypes.byref(pointer))
        if rv != CKR_OK:
            raise CryptokiError("C_GetFunctionList", rv)
        self._head = pointer.contents

    def finalize(self) -> int:
        """Finalise; the return code is given back because "not initialised" is expected."""
        return int(self._head.C_Finalize(None))

    def initialize_os_locking(self) -> None:
        args = _InitializeArgs(flags=CKF_OS_LOCKING_OK)
        rv = self._head.C_Initialize(ctypes.cast(ctypes.pointer(args), ctypes.c_void_p))
        if rv != CKR_OK:
            raise CryptokiError("C_Initialize", rv)

    def reinitialize_os_locking(self) -> None:
        rv = self.finalize()
        if rv not in (CKR_OK, CKR_CRYPTOKI_NOT_INITIALIZED):
            raise CryptokiError("C_Finalize", rv)
        self.initialize_os_locking()


class _CkGcmParams(ctypes.Structure):
    _fields_ = (
        ("pIv", ctypes.c_void_p),
        ("ulIvLen", ctypes.c_ulong),
        ("ulIvBits", ctypes.c_ulong),
        ("pAAD", ctypes.c_void_p),
        ("ulAADLen", ctypes.c_ulong),
        ("ulTagBits", ctypes.c_ulong),
    )


GCM_IV_BYTES = 12
GCM_TAG_BITS = 128


class GcmParams:
    """CK_GCM_PARAMS whose IV lives in a mutable buffer owned by this object.

    ``raw`` is handed to python-pkcs11 as the mechanism parameter bytes; the buffers must outlive
    the call, which holding this object guarantees. After an encryption ``iv`` is whatever the
    token left in the buffer: the caller's IV, or the one the HSM generated.
    """

    def __init__(self, iv: bytes | None, aad: bytes) -> None:
        self._iv = ctypes.create_string_buffer(iv or bytes(GCM_IV_BYTES), GCM_IV_BYTES)
        self._aad = ctypes.create_string_buffer(aad, len(aad)) if aad else None
        params = _CkGcmParams(
            ctypes.addressof(self._iv),
            GCM_IV_BYTES,
            GCM_IV_BYTES * 8,
            ctypes.addressof(self._aad) if self._aad is not None else None,
            len(aad),
            GCM_TAG_BITS,
        )
        self.raw = bytes(params)

    @property
    def iv(self) -> bytes:
        return self._iv.raw
