"""A small built-in example until the demo gallery lands: ``python -m demos all``."""

from autograd import Value, grad


def main() -> None:
    x, w, b = Value(0.5, label="x"), Value(-1.2, label="w"), Value(0.3, label="b")
    y = (x * w + b).tanh()
    y.backward()
    print(f"y = tanh(x*w + b) = {y.data:.6f}")
    for v in (x, w, b):
        print(f"  dy/d{v.label} = {v.grad:+.6f}")
    (d,) = grad(y, [x], create_graph=True)
    (d2,) = grad(d, [x])
    print(f"  d2y/dx2 = {d2.data:+.6f}")


if __name__ == "__main__":
    main()
