"""The views of “This view in Python” (ui/pyview.py), one table per chapter: for every tab of a page, names
for its calls' results and the prints of the numbers it shows, in the page's own formats."""

from ui.pyviews import (
    calculus,
    dynamics,
    geometry,
    graphs,
    harmonic,
    information,
    introduction,
    linear_algebra,
    optimization,
    probability,
    quantum,
    topology,
)

VIEWS = {**introduction.VIEWS, **linear_algebra.VIEWS, **optimization.VIEWS, **graphs.VIEWS, **topology.VIEWS,
         **harmonic.VIEWS, **quantum.VIEWS, **calculus.VIEWS,
         **probability.VIEWS, **information.VIEWS, **geometry.VIEWS, **dynamics.VIEWS}
