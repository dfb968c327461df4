"""Which PKCS#11 errors mean "this session or device is broken" and which are the caller's.

Device and session failures make the backend drop the session and recover; data errors (bad tag,
bad length) go back to the caller as keygraph errors and leave the session in the pool.
"""

from __future__ import annotations

from typing import Any

from pkcs11 import Attribute
from pkcs11 import exceptions as p11

_DEVICE_FAILURES: tuple[type[p11.PKCS11Error], ...] = (
    p11.DeviceError,
    p11.DeviceRemoved,
    p11.DeviceMemory,
    p11.GeneralError,
    p11.FunctionFailed,
    p11.OperationActive,
    p11.SessionHandleInvalid,
    p11.SessionClosed,
    p11.SessionCount,
    p11.SlotIDInvalid,
    p11.TokenNotPresent,
    p11.TokenNotRecognised,
    p11.NoSuchToken,
    p11.UserNotLoggedIn,
    p11.KeyHandleInvalid,
    p11.ObjectHandleInvalid,
    p11.WrappingKeyHandleInvalid,
    p11.UnwrappingKeyHandleInvalid,
)

LOGIN_FAILURES: tuple[type[p11.PKCS11Error], ...] = (
    p11.PinIncorrect,
    p11.PinInvalid,
    p11.PinLenRange,
    p11.PinLocked,
    p11.PinExpired,
    p11.UserPinNotInitialized,
)


class TokenStateLost(p11.PKCS11Error):
    """Raised by hsm itself when the token no longer holds what it held a moment ago (the domain
    key vanished): the token was pulled or swapped, so recover like from a device failure."""


_DEVICE_FAILURES = (*_DEVICE_FAILURES, TokenStateLost)


def is_device_failure(exc: p11.PKCS11Error) -> bool:
    """True for errors that say nothing about the request and everything about the device.

    python-pkcs11 raises the bare base class for codes it does not map, notably
    CKR_CRYPTOKI_NOT_INITIALIZED after the module was finalised under us.
    """
    return isinstance(exc, _DEVICE_FAILURES) or type(exc) is p11.PKCS11Error


def describe(exc: p11.PKCS11Error) -> str:
    """A loggable name for a PKCS#11 error; python-pkcs11 messages carry no secrets but are often
    empty."""
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def confirm_data_error(exc: p11.PKCS11Error, key: Any) -> None:
    """Re-raise ``exc`` unless it really was about the data.

    SoftHSM reports a forged GCM tag and a corrupt wrapped key as CKR_GENERAL_ERROR, the code a
    failing device uses too. When the error is of a device-failure kind, reading an attribute of
    the key used tells the two apart: a healthy session and key answer, a broken one does not.
    """
    if not is_device_failure(exc):
        return
    try:
        key[Attribute.CLASS]
    except p11.PKCS11Error:
        raise exc from None
