"""Eager as the oracle of a compiled step: ``out = fn(*args); out.backward()`` is what
``autograd.compile(fn)(*args)`` means, bit for bit — its result, its errors, every parameter's
``.grad`` and ``.data`` — or the compiled step runs eagerly, and says so once."""

from __future__ import annotations

import warnings

import autograd
from autograd import Value


def outcome(call):
    """What a call gave: every Value's (data, grad) in its result, in bits, or its error."""
    try:
        result = call()
    except Exception as e:  # the error is the outcome
        return ("raised", type(e).__name__, str(e))
    items = result if isinstance(result, (tuple, list)) else [result]
    return [(v.data.hex(), v.grad.hex()) if isinstance(v, Value) else v for v in items]


def exact(x):
    """A number as its bits (a float) or itself (an int a step set)."""
    return x.hex() if type(x) is float else repr(x)


def eagerly(fn):
    """The eager step: ``out = fn(*args)``, then the loss's backward()."""

    def step(*args, **kwargs):
        out = fn(*args, **kwargs)
        (out[0] if isinstance(out, (tuple, list)) else out).backward()
        return out

    return step


def side_by_side(make, calls, backend, *, warns=None):
    """Run ``make()``'s step eagerly and compiled, on fresh parameters, call by call: the same
    results, the same errors, the same gradients. Returns the compiled step."""
    (params, fn), (twins, twin_fn) = make(), make()
    step = autograd.compile(twin_fn, backend=backend)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for args in calls:
            want = outcome(lambda args=args: eagerly(fn)(*args))
            got = outcome(lambda args=args: step(*args))
            assert got == want, args
            assert [exact(p.grad) for p in twins] == [exact(p.grad) for p in params], args
            assert [exact(p.data) for p in twins] == [exact(p.data) for p in params], args
    messages = [str(w.message) for w in caught]
    if warns is None:
        assert not messages
    else:
        assert len(messages) == 1 and warns in messages[0], messages
    return step
