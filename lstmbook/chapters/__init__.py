"""One module per chapter notebook, named after its stem: ``ch05_cec`` is ``book/05_cec.ipynb``.

A chapter module holds that chapter's experiments (the runs its text quotes) and the models of
its explorers (pure functions returning named tuples, which :mod:`lstmbook.viz` draws and
:mod:`lstmbook.widgets` wires to sliders). The library they use is :mod:`lstmbook.nn`; the
tasks are :mod:`lstmbook.data`. Import the one you need: ``from lstmbook.chapters import
ch05_cec``.
"""
