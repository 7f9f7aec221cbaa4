"""The web chat's pages (run by streamlit_app.py through st.navigation) and their shared helpers.

Not named pages/: Streamlit treats a pages/ folder beside the main script as a legacy multipage app on a
process's first run, which runs the page without the main script (no sidebar, no engine warm-up).
"""
