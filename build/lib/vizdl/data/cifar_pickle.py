"""Reading a CIFAR-10 python batch without unpickling it.

The official ``cifar-10-batches-py`` files are pickles (protocol 2, written by Python 2),
and any unpickler, even one with an allow-list of globals, runs the objects' own
reconstruction code: a forged batch built only from ``numpy.dtype``, ``ndarray`` and
``_reconstruct`` can clear the object flag of a dtype and turn file bytes into
pointers (a segfault), and ``list(bytes(2**30))`` fits in 40 bytes. vizdl therefore never
unpickles. :func:`parse_batch` walks the opcodes with :func:`pickletools.genops` (which
only decodes them) and interprets the few that a CIFAR batch uses, building plain Python
values and arrays **from raw bytes with a fixed integer dtype** whose size is checked
against the shape. Nothing in the file is ever called; anything else a pickle can say is
refused with :class:`UnsafePickleError`.

Understood: the Python 2 ``cPickle`` protocol-2 files of the official archive, and the
same dictionary re-pickled by Python 3 with protocols 2 to 5 (NumPy's ``_reconstruct``
and protocol-5 ``_frombuffer`` forms, ``_codecs.encode`` for ``bytes``).
"""
from __future__ import annotations

import io
import math
import pickletools
import reprlib

import numpy as np

# integer dtypes an array in a batch may have (pixels are uint8; labels may be any of these)
INTEGER_DTYPES = ("u1", "i1", "u2", "i2", "u4", "i4", "u8", "i8")
_BYTE_ORDERS = {"|": "=", "=": "=", "<": "<", ">": ">"}


class UnsafePickleError(ValueError):
    """A CIFAR batch asked for something a genuine batch never needs (a global, a call, an opcode)."""


class _Global:
    """A global a CIFAR batch names; never resolved to a Python object."""

    def __init__(self, kind: str):
        self.kind = kind


_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"): "reconstruct",
    ("numpy._core.multiarray", "_reconstruct"): "reconstruct",
    ("numpy.core.numeric", "_frombuffer"): "frombuffer",
    ("numpy._core.numeric", "_frombuffer"): "frombuffer",
    ("numpy", "ndarray"): "ndarray",
    ("numpy", "dtype"): "dtype",
    ("_codecs", "encode"): "encode",
    ("__builtin__", "bytes"): "bytes",
    ("builtins", "bytes"): "bytes",
}


class _DType:
    """``numpy.dtype(spec)`` waiting for its state (the byte order)."""

    def __init__(self, spec: str):
        self.spec, self.dtype = spec, None


class _Array:
    """``_reconstruct(ndarray, (0,), b"b")`` waiting for its state (shape, dtype, bytes)."""

    array = None


def parse_batch(raw: bytes, where: str, *, max_items: int = 10**8):
    """The object a CIFAR batch pickle describes, built without running any of it.

    Parameters
    ----------
    raw : bytes
        The whole file.
    where : str
        The file's name, used in every error message.
    max_items : int
        Most elements an array may declare.

    Returns
    -------
    object
        Plain values: dict, list, tuple, int, bool, None, bytes, str, and NumPy integer
        arrays (read-only views of the file's bytes).

    Raises
    ------
    UnsafePickleError
        For an opcode, global or call outside those of a CIFAR batch.
    ValueError
        For a truncated or malformed pickle, or an array whose bytes do not match its shape.
    """
    machine = _Machine(where, max_items)
    try:
        for opcode, arg, pos in pickletools.genops(io.BytesIO(raw)):
            machine.step(opcode.name, arg, pos)
    except UnsafePickleError:
        raise
    except (ValueError, IndexError, TypeError, KeyError) as error:
        raise ValueError(f"{where} is not a readable CIFAR-10 batch: {error}") from None
    return machine.result


class _Machine:
    """The stack machine of the allowed opcodes (memo, marks, containers, four calls)."""

    def __init__(self, where: str, max_items: int):
        self.where, self.max_items = where, max_items
        self.stack, self.marks, self.memo = [], [], {}
        self.result = None

    def step(self, name: str, arg, pos: int) -> None:
        handler = getattr(self, f"_op_{name}", None)
        if handler is None:
            raise UnsafePickleError(f"{self.where}: pickle opcode {name} at byte {pos} is not used by "
                                    "CIFAR-10 batches; refusing to read the file")
        handler(arg)

    def refuse(self, what: str) -> UnsafePickleError:
        return UnsafePickleError(f"{self.where}: refusing {what}; a CIFAR-10 batch only holds a dict "
                                 "of integer arrays, lists, numbers and strings")

    # -- framing, memo and marks ----------------------------------------------------------
    def _op_PROTO(self, arg):
        pass

    def _op_FRAME(self, arg):
        pass

    def _op_STOP(self, arg):
        self.result = self.stack.pop()

    def _op_MARK(self, arg):
        self.marks.append(len(self.stack))

    def _pop_mark(self) -> list:
        start = self.marks.pop()
        items, self.stack[start:] = self.stack[start:], []
        return items

    def _op_BINPUT(self, arg):
        self.memo[arg] = self.stack[-1]

    _op_LONG_BINPUT = _op_BINPUT

    def _op_MEMOIZE(self, arg):
        self.memo[len(self.memo)] = self.stack[-1]

    def _op_BINGET(self, arg):
        self.stack.append(self.memo[arg])

    _op_LONG_BINGET = _op_BINGET

    # -- scalars ----------------------------------------------------------------------------
    def _push(self, arg):
        self.stack.append(arg)

    _op_BININT = _op_BININT1 = _op_BININT2 = _op_LONG1 = _op_INT = _push
    _op_SHORT_BINBYTES = _op_BINBYTES = _op_SHORT_BINUNICODE = _op_BINUNICODE = _push

    def _op_BINSTRING(self, arg):
        self.stack.append(arg.encode("latin1"))   # a Python 2 str: bytes, as encoding="bytes" reads it

    _op_SHORT_BINSTRING = _op_BINSTRING

    def _op_BYTEARRAY8(self, arg):
        self.stack.append(bytes(arg))

    def _op_NONE(self, arg):
        self.stack.append(None)

    def _op_NEWTRUE(self, arg):
        self.stack.append(True)

    def _op_NEWFALSE(self, arg):
        self.stack.append(False)

    # -- containers --------------------------------------------------------------------------
    def _op_EMPTY_DICT(self, arg):
        self.stack.append({})

    def _op_EMPTY_LIST(self, arg):
        self.stack.append([])

    def _op_EMPTY_TUPLE(self, arg):
        self.stack.append(())

    def _op_TUPLE(self, arg):
        self.stack.append(tuple(self._pop_mark()))

    def _tuple(self, size: int):
        items = self.stack[len(self.stack) - size:]
        if len(items) != size:
            raise ValueError("stack underflow")
        self.stack[len(self.stack) - size:] = [tuple(items)]

    def _op_TUPLE1(self, arg):
        self._tuple(1)

    def _op_TUPLE2(self, arg):
        self._tuple(2)

    def _op_TUPLE3(self, arg):
        self._tuple(3)

    def _target(self, kind: type):
        target = self.stack[-1]
        if not isinstance(target, kind):
            raise ValueError(f"expected a {kind.__name__} on the stack, found a {type(target).__name__}")
        return target

    def _op_APPEND(self, arg):
        item = self.stack.pop()
        self._target(list).append(item)

    def _op_APPENDS(self, arg):
        items = self._pop_mark()
        self._target(list).extend(items)

    def _op_SETITEM(self, arg):
        value, key = self.stack.pop(), self.stack.pop()
        self._setitems([key, value])

    def _op_SETITEMS(self, arg):
        self._setitems(self._pop_mark())

    def _setitems(self, items: list) -> None:
        target = self._target(dict)
        for key, value in zip(items[::2], items[1::2]):
            if not isinstance(key, (bytes, str, int)):
                raise ValueError(f"dictionary key of type {type(key).__name__}")
            target[key] = value

    # -- the four calls a batch makes ---------------------------------------------------------
    def _op_GLOBAL(self, arg):
        module, _, name = arg.partition(" ")
        self.stack.append(self._global(module, name))

    def _op_STACK_GLOBAL(self, arg):
        name, module = self.stack.pop(), self.stack.pop()
        if not isinstance(module, str) or not isinstance(name, str):
            raise ValueError("STACK_GLOBAL needs two strings")
        self.stack.append(self._global(module, name))

    def _global(self, module: str, name: str) -> _Global:
        kind = _GLOBALS.get((module, name))
        if kind is None:
            raise self.refuse(f"the global {module}.{name}")
        return _Global(kind)

    def _op_REDUCE(self, arg):
        args, func = self.stack.pop(), self.stack.pop()
        if not isinstance(func, _Global) or not isinstance(args, tuple):
            raise self.refuse("a call of something that is not an allowed global")
        self.stack.append(getattr(self, f"_call_{func.kind}", self._call_other)(func, args))

    def _call_other(self, func, args):
        raise self.refuse(f"a call of {func.kind}")

    def _call_encode(self, func, args):
        if len(args) != 2 or not isinstance(args[0], str) or args[1] not in ("latin1", "latin-1"):
            raise self.refuse(f"_codecs.encode with arguments other than (str, 'latin1'): {_short(args)}")
        return args[0].encode("latin1")

    def _call_bytes(self, func, args):
        if args:
            raise self.refuse(f"bytes{_short(args)} (only bytes() is allowed)")
        return b""

    def _call_dtype(self, func, args):
        spec = _text(args[0]) if args else None
        if spec is None or spec.lstrip("<>|=") not in INTEGER_DTYPES or len(args) != 3:
            raise self.refuse(f"numpy.dtype{_short(args)}: only the integer dtypes "
                              f"{', '.join(INTEGER_DTYPES)} are allowed")
        return _DType(spec)

    def _call_reconstruct(self, func, args):
        if len(args) != 3 or not isinstance(args[0], _Global) or args[0].kind != "ndarray":
            raise self.refuse(f"_reconstruct{_short(args)}")
        return _Array()

    def _call_frombuffer(self, func, args):
        if len(args) != 4 or not isinstance(args[0], bytes) or _text(args[3]) not in ("C", "F"):
            raise self.refuse(f"_frombuffer{_short(args)}")
        return self._array(args[2], args[1], _text(args[3]) == "F", args[0])

    # -- BUILD: the dtype's byte order, the array's shape and bytes ---------------------------
    def _op_BUILD(self, arg):
        state, target = self.stack.pop(), self.stack[-1]
        if isinstance(target, _DType) and target.dtype is None:
            target.dtype = self._dtype_state(target.spec, state)
        elif isinstance(target, _Array) and target.array is None:
            if not isinstance(state, tuple) or len(state) != 5 or state[0] != 1:
                raise self.refuse(f"an array state other than (1, shape, dtype, fortran, bytes): {_short(state)}")
            _, shape, dtype, fortran, data = state
            target.array = self._array(shape, dtype, fortran, data)
            self.stack[-1] = target.array
        else:
            raise self.refuse(f"BUILD on a {type(target).__name__}")

    def _dtype_state(self, spec: str, state) -> np.dtype:
        if not isinstance(state, tuple) or len(state) not in (8, 9) or state[0] not in (3, 4) \
                or _text(state[1]) not in _BYTE_ORDERS or any(v is not None for v in state[2:5]) \
                or state[-1] != 0:
            raise self.refuse(f"a dtype state other than a plain integer's (flags 0, no fields): {_short(state)}")
        return np.dtype(spec.lstrip("<>|=")).newbyteorder(_BYTE_ORDERS[_text(state[1])])

    def _array(self, shape, dtype, fortran, data) -> np.ndarray:
        if not isinstance(dtype, _DType) or dtype.dtype is None:
            raise self.refuse("an array whose dtype is not a plain integer dtype")
        if not isinstance(shape, tuple) or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0
                                                   for n in shape):
            raise ValueError(f"array shape {_short(shape)} is not a tuple of non-negative integers")
        count = math.prod(shape)
        if count > self.max_items:
            raise ValueError(f"array shape {shape} declares {count} items, more than the {self.max_items} "
                             "a CIFAR batch may hold")
        if not isinstance(data, bytes) or len(data) != count * dtype.dtype.itemsize:
            size = len(data) if isinstance(data, bytes) else type(data).__name__
            raise ValueError(f"array of shape {shape} and dtype {dtype.dtype} needs "
                             f"{count * dtype.dtype.itemsize} bytes but the file gives {size}")
        order = "F" if fortran in (True, 1) else "C"
        return np.frombuffer(data, dtype=dtype.dtype).reshape(shape, order=order)


def _text(value) -> str | None:
    """``value`` as text when it is a (byte) string, else ``None``."""
    if isinstance(value, bytes):
        return value.decode("latin1")
    return value if isinstance(value, str) else None


class _ShortRepr(reprlib.Repr):
    """``repr`` bounded in depth and length, also for long bytes (never the pixel payload)."""

    def repr_bytes(self, value, level):
        return repr(value[:self.maxstring]) + ("..." if len(value) > self.maxstring else "")

    def repr_instance(self, value, level):
        if isinstance(value, _Global):
            return f"<global {value.kind}>"
        if isinstance(value, (_DType, _Array)):
            return f"<{type(value).__name__.strip('_').lower()}>"
        return super().repr_instance(value, level)


def _short(value) -> str:
    """A short ``repr`` for messages: 3 levels deep, 30 characters a string, 6 items a sequence."""
    short = _ShortRepr()
    short.maxlevel, short.maxstring, short.maxother = 3, 30, 30
    short.maxtuple = short.maxlist = 6
    short.maxdict = 4
    return short.repr(value)
