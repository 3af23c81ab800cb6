"""The map of the member states, each coloured by its progress on the recommendations chosen.

The drawing (`tracker/data/americas_map.json`, built by `scripts/build_map.py` from Natural Earth's
public-domain boundaries) is read once per process; a page adds only each state's figures, from one
read of the responsibilities and one of the member states.
"""

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

from forum.models import translation_columns

from ..models import Actor
from ..ordering import named_actors, shown_name, sorted_actors
from ..rollup import RollUp
from .common import responsibility_statuses

DRAWING = Path(__file__).resolve().parents[1] / "data" / "americas_map.json"

# Progress in bands of a quarter, for the colours; the states' own figures are shown beside.
BANDS = (25, 50, 75)
# Where the markers of the smallest states are set out, in a column beside the Caribbean.
CALLOUT_X, CALLOUT_TOP, CALLOUT_STEP = 790.0, 360.0, 17.0


@lru_cache(maxsize=1)
def drawing() -> dict:
    return json.loads(DRAWING.read_text(encoding="utf-8"))


@dataclass
class StateOnMap:
    actor: Actor
    rollup: RollUp
    d: str
    marker: tuple | None = None
    callout: tuple | None = None  # where its marker is set out, and its code beside it

    @property
    def code_at(self) -> tuple:
        return (self.callout[0] + 9, self.callout[1] + 4)

    @property
    def label(self) -> str:
        """What the state's shape says to a screen reader and in its tooltip."""
        name = shown_name(self.actor)
        if not self.responsible:
            return _("%(name)s: not responsible") % {"name": name}
        if self.rollup.progress is None:
            return _("%(name)s: not yet assessed") % {"name": name}
        return _("%(name)s: progress %(progress)s %%") % {
            "name": name,
            "progress": floatformat(self.rollup.progress, -1),
        }

    @property
    def responsible(self) -> bool:
        return self.rollup.total > 0

    @property
    def band(self) -> str:
        """`none` (not responsible), `unassessed`, or `p0` to `p3` by quarter of progress."""
        if not self.responsible:
            return "none"
        progress = self.rollup.progress
        if progress is None:
            return "unassessed"
        return f"p{sum(progress >= limit for limit in BANDS)}"


def legend() -> list[tuple[str, str]]:
    """(band, what it means) for each colour, from the highest band down, then the two without one."""
    low, *middle, high = BANDS
    bands = [(f"p{len(BANDS)}", _("%(low)s %% or more") % {"low": high})]
    edges = [low, *middle, high]
    for index in range(len(edges) - 1, 0, -1):
        bands.append(
            (f"p{index}", _("%(low)s %% to %(high)s %%") % {"low": edges[index - 1], "high": edges[index] - 1})
        )
    bands.append(("p0", _("Under %(high)s %%") % {"high": low}))
    return [*bands, ("unassessed", _("Not yet assessed")), ("none", _("Not responsible"))]


# What names a state, in each language.
NAME_COLUMNS = tuple(translation_columns("name"))


def progress_map(recommendations: list) -> dict:
    """Every member state that the drawing holds, with its roll-up over `recommendations`."""
    statuses = {}
    for actor_id, _recommendation_id, status, *_actor in responsibility_statuses(recommendations):
        statuses.setdefault(actor_id, []).append(status)
    shapes = drawing()["states"]
    states = []
    member_states = [a for a in named_actors() if a.kind == Actor.Kind.MEMBER_STATE and a.code in shapes]
    for actor in sorted_actors(member_states):
        shape = shapes[actor.code]
        states.append(
            StateOnMap(
                actor=actor,
                rollup=RollUp.of(statuses.get(actor.pk, [])),
                d=shape["d"],
                marker=tuple(shape["marker"]) if shape["marker"] else None,
            )
        )
    # The smallest states' markers, north to south, each in a column with a line to where it lies.
    small = sorted((s for s in states if s.marker), key=lambda s: s.marker[1])
    for index, state in enumerate(small):
        state.callout = (CALLOUT_X, CALLOUT_TOP + index * CALLOUT_STEP)
    return {
        "states": states,
        # All that the drawing and the table show of the states, which keep their markup per value.
        "states_key": tuple(
            (
                s.actor.code,
                *(getattr(s.actor, name) for name in NAME_COLUMNS),
                tuple(s.rollup.counts.values()),
                s.callout,
            )
            for s in states
        ),
        "legend": legend(),
        "view_box": drawing()["viewBox"],
        "land": drawing()["land"],
        "marker_radius": drawing()["marker_radius"],
        "source": drawing()["source"],
    }
