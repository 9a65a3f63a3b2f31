"""The book's twelve chapters as a map: live explorers as cards with a link, the rest listed plainly."""

import streamlit as st

from ui import shell
from ui.chapters import CHAPTERS

st.title(":material/menu_book: Mathematical Foundations for Deep Learning")
st.markdown("##### Interactive explorers for the book by Mehdi Ghayoumi (CRC Press, 2026): "
            "move a slider and watch the mathematics respond.")
shell_params = {k: st.query_params.get_all(k)[-1] for k in (shell.CPU_KEY, shell.PRESENT_KEY)
                if st.query_params.get_all(k)}

live = [c for c in CHAPTERS if c.page]
coming = [c for c in CHAPTERS if not c.page]

st.subheader("Explorers")
cols = st.columns(min(3, max(1, len(live))))
for i, ch in enumerate(live):
    with cols[i % len(cols)].container(border=True):
        st.caption(f"Chapter {ch.number} · {ch.title}")
        st.markdown(f"### {ch.icon} {ch.explorer}")
        st.markdown(f"**{ch.question}**")
        if not shell.presentation_mode():
            st.markdown(f"Play with: {ch.ideas}.")
        st.page_link(ch.page, label=f"Open {ch.explorer}", icon=":material/arrow_forward:",
                     query_params=shell_params)

st.subheader("The rest of the book")
st.markdown("These chapters' explorers are being built; they will appear above when they are ready.")
st.markdown("\n".join(f"- **{c.number}. {c.title}** — {c.explorer}: *{c.question}*" for c in coming))
