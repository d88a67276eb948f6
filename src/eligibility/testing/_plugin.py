"""The Hypothesis plugin hook, run when ``hypothesis`` is imported (see pyproject.toml).

It makes ``st.from_type(Profile)`` draw from ``profiles()`` in any suite once the
package is installed, so a user's ``@given(st.builds(f))`` or type-annotated strategies
get valid profiles without knowing this kit exists.
"""

from __future__ import annotations


def _hypothesis_setup_hook() -> None:
    from hypothesis import strategies as st

    from eligibility.model.profile import Profile
    from eligibility.testing._strategies import profiles

    st.register_type_strategy(Profile, profiles())
