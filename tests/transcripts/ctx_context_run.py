# Context.run runs a function in a context; what it sets stays there. A
# context cannot be entered twice at once. A context is a mapping.
import asyncio
import contextvars

a = contextvars.ContextVar('a', default=0)
b = contextvars.ContextVar('b')


def work(x):
    a.set(a.get() + x)
    b.set('set in run')
    return a.get()


async def main():
    a.set(1)
    ctx = contextvars.copy_context()
    print('run returns', ctx.run(work, 5), 'outside a is still', a.get())
    print('ctx a', ctx[a], 'ctx b', ctx.get(b), 'len', len(ctx), 'b in ctx', b in ctx)
    print('ctx.get default', contextvars.Context().get(a, 'none'))
    copy = ctx.copy()
    copy.run(a.set, 100)
    print('copy a', copy[a], 'ctx a', ctx[a])
    try:
        ctx.run(ctx.run, work, 1)
    except RuntimeError:
        print('entering twice raises RuntimeError')
    print('values', sorted(str(v) for v in ctx.values()))
    print('empty context len', len(contextvars.Context()))


asyncio.run(main())
