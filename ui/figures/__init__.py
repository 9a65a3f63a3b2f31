"""Each explorer's chart builders: pure Altair (no Streamlit calls), one module per chapter, so a
page script stays glue and the charts can be built and checked in tests on their own."""
