# ContextVar.get's defaults, set/reset with tokens, and the errors of reset.
import asyncio
import contextvars

plain = contextvars.ContextVar('plain')
with_default = contextvars.ContextVar('with_default', default=10)


def show_error(label, fn):
    try:
        fn()
    except Exception as e:
        print(label, type(e).__name__)


async def main():
    show_error('get without value or default:', plain.get)
    print('get(5):', plain.get(5), 'with default:', with_default.get(), with_default.get(7))
    token = plain.set('a')
    print('token old value is MISSING:', token.old_value is contextvars.Token.MISSING, token.var is plain)
    token2 = plain.set('b')
    print('second token old value:', token2.old_value)
    plain.reset(token2)
    print('after reset:', plain.get())
    show_error('reset twice:', lambda: plain.reset(token2))
    show_error('reset with another var:', lambda: with_default.reset(token))
    plain.reset(token)
    print('after first reset:', plain.get('gone'))
    token3 = with_default.set(11)

    async def other_task():
        show_error('reset in another task:', lambda: with_default.reset(token3))

    await asyncio.create_task(other_task())
    with_default.reset(token3)
    print('back to default:', with_default.get())


asyncio.run(main())
