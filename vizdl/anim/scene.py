"""The one scene contract: a lecture scene is a list of beats, each a caption and a section.

Every vizdl scene subclasses :class:`LectureScene` and yields :class:`Beat` s from
:meth:`LectureScene.beats`. Playing a beat

1. opens a manim section named after the beat (a slide when the scene is rendered with
   manim-slides: ``vizdl slides SCENE``), the caption becoming the presenter notes;
2. replaces the caption at the bottom of the frame;
3. plays the beat's :class:`Play` s (mobjects swapped, then animated, or a pause);
4. holds the last frame long enough to read the caption and the new numbers aloud
   (:func:`vizdl.views.reading_time`), at the scene's ``pace``.

Options are class attributes listed in ``options``; a variant is a subclass
(``class Backprop784(Backprop): run = "runs/mnist"``) or :meth:`LectureScene.configure`
(what ``vizdl render SCENE --run DIR --set key=value`` uses). Environment variables are
read in one place, :func:`options_from_environment`, when a scene is set up: ``VIZDL_RUN``,
``VIZDL_PACE`` and ``VIZDL_OPTIONS="key=value,key=value"``. Nothing changes manim's global
``config``: the white background comes from ``manim.cfg`` (so ``manim -c BLACK`` works,
and the theme follows the background).
"""
from __future__ import annotations

import os
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
from manim import DOWN, UP, FadeIn, FadeOut, Mobject, Scene, VGroup

from vizdl.anim.grid import label as glyphs
from vizdl.styles.theme import for_background
from vizdl.views.base import PACES, reading_time

ENV_RUN, ENV_PACE, ENV_OPTIONS = "VIZDL_RUN", "VIZDL_PACE", "VIZDL_OPTIONS"
CAPTION_SIZE = 26
TITLE_SIZE = 32
#: Vertical bands of the 8-unit-high frame: title on top, caption (two lines) at the bottom.
TITLE_BAND = 0.9
CAPTION_BAND = 1.15
MARGIN = 0.3
#: Animations play at this fraction of their lecture run time in the preview pace.
PREVIEW_SPEED = 0.5


@dataclass
class Play:
    """One ``scene.play`` call: swap mobjects, then animate (or pause ``run_time`` seconds).

    Attributes
    ----------
    animations : sequence of Animation
        Played together; empty for a pause.
    run_time : float
        Seconds at lecture pace.
    add, remove : sequence of Mobject
        Added / removed (without animation) before the animations start.
    """

    animations: Sequence = ()
    run_time: float = 1.0
    add: Sequence = ()
    remove: Sequence = ()


@dataclass
class Beat:
    """One moment a lecturer presents: a caption, what plays, how long it holds.

    Attributes
    ----------
    caption : str
        One sentence shown at the bottom of the frame (and the slide's notes).
    plays : sequence of Play
        Played in order.
    name : str
        Section / slide name (a slug of the caption by default).
    numbers : int
        How many numbers appear in this beat (the hold grows with them).
    hold : float, optional
        Seconds to hold at the end at lecture pace; default :func:`vizdl.views.reading_time`.
    """

    caption: str
    plays: Sequence = field(default_factory=list)
    name: str = ""
    numbers: int = 0
    hold: float | None = None

    def __post_init__(self):
        if not self.name:
            self.name = slug(self.caption)

    @classmethod
    def of(cls, caption: str, animations=(), run_time: float = 1.0, **kwargs) -> "Beat":
        """A beat of one play (``add``/``remove`` go to the play; other keywords to the beat)."""
        play = Play(list(animations), run_time, kwargs.pop("add", ()), kwargs.pop("remove", ()))
        return cls(caption, [play], **kwargs)

    def hold_seconds(self, pace: str) -> float:
        """The hold at ``pace``: ``hold`` scaled like the reading time, or the reading time."""
        if self.hold is not None:
            return round(self.hold * PACES[pace], 2)
        return reading_time(self.caption, self.numbers, pace=pace)


def slug(text: str, limit: int = 40) -> str:
    """``"Forward pass: x_1"`` -> ``"forward-pass-x_1"`` (section names)."""
    words = re.sub(r"[^a-z0-9_]+", "-", text.lower()).strip("-")
    return (words[:limit].rstrip("-")) or "beat"


class LectureScene(Scene):
    """Base of every vizdl scene: beats with captions, sections/slides, pace, layout.

    Class attributes (options)
    --------------------------
    pace : {"lecture", "preview"}
        ``lecture`` holds each beat long enough to read it aloud; ``preview`` is quick.
    options : tuple of str
        Names of the class attributes that :meth:`configure` and the environment may set.
    """

    pace: str = "lecture"
    options: ClassVar[tuple] = ("pace",)

    # -- options ----------------------------------------------------------------------
    @classmethod
    def configure(cls, **values) -> type:
        """A subclass with the given options set (strings are converted to the option's type)."""
        unknown = sorted(set(values) - set(cls.options))
        if unknown:
            raise ValueError(f"{cls.__name__}: unknown option(s) {', '.join(unknown)}; "
                             f"options: {', '.join(cls.options)}")
        converted = {k: cls.parse_option(k, v) for k, v in values.items()}
        return type(cls.__name__, (cls,), {"__module__": cls.__module__, "__doc__": cls.__doc__, **converted})

    @classmethod
    def parse_option(cls, name: str, value):
        """Convert ``value`` (a string from the command line or environment) to option ``name``'s type."""
        if not isinstance(value, str):
            return value
        default = getattr(cls, name, None)
        try:
            if isinstance(default, bool):
                if value.lower() not in ("1", "0", "true", "false", "yes", "no"):
                    raise ValueError(value)
                return value.lower() in ("1", "true", "yes")
            if isinstance(default, int):
                return int(value)
            if isinstance(default, float):
                return float(value)
        except ValueError:
            raise ValueError(f"{cls.__name__}: option {name}={value!r} is not a {type(default).__name__}") from None
        if name == "pace" and value not in PACES:
            raise ValueError(f"{cls.__name__}: pace must be one of {sorted(PACES)}, got {value!r}")
        return value

    # -- manim hooks --------------------------------------------------------------------
    def setup(self):
        """Read the environment adapter, pick the theme from the background, prepare the bars."""
        super().setup()
        for key, value in options_from_environment(type(self)).items():
            setattr(self, key, value)
        self.theme = for_background(self.camera.background_color)
        self.caption_mobject: Mobject | None = None
        self.title_mobject: Mobject | None = None
        self._beats_played = 0

    def construct(self):
        """Play every beat of :meth:`beats`."""
        for beat in self.beats():
            self.play_beat(beat)

    def beats(self):
        """Yield the scene's :class:`Beat` s (subclasses implement this)."""
        raise NotImplementedError(f"{type(self).__name__} must define beats()")

    # -- playing ------------------------------------------------------------------------
    def play_beat(self, beat: Beat) -> None:
        """Open the beat's section (slide), show its caption, play it, hold it."""
        self.open_section(beat)
        caption = self.caption_for(beat.caption)
        swap = [FadeIn(caption)] + ([FadeOut(self.caption_mobject)] if self.caption_mobject is not None else [])
        if self.caption_mobject is not None:
            # on top of the list: manim redraws every mobject above a moving one, so a caption
            # fading low in the list would redraw the whole picture at every frame
            self.bring_to_front(self.caption_mobject)
        self.caption_mobject = caption
        speed = 1.0 if self.pace == "lecture" else PREVIEW_SPEED
        plays = list(beat.plays) or [Play((), 0.5)]
        for k, play in enumerate(plays):
            self.remove(*play.remove)
            self.add(*play.add)
            animations = list(play.animations) + (swap if k == 0 else [])
            if animations:
                self.play(*animations, run_time=max(play.run_time * speed, 1 / self.camera.frame_rate))
            else:
                self.wait(play.run_time * speed)
        self.wait(beat.hold_seconds(self.pace))
        self._beats_played += 1

    def open_section(self, beat: Beat) -> None:
        """A manim section per beat; with manim-slides a slide whose notes are the caption."""
        if hasattr(self, "next_slide"):  # rendered as a manim-slides Slide
            self.next_slide(beat.name, notes=beat.caption)
        else:
            self.next_section(beat.name)

    def content_mobjects(self) -> list:
        """What is on screen besides the title and the caption (e.g. to fade out before a new part)."""
        return [m for m in self.mobjects if m is not self.caption_mobject and m is not self.title_mobject]

    # -- layout -------------------------------------------------------------------------
    def show_title(self, title, *, font_size: float = TITLE_SIZE) -> Mobject:
        """Put ``title`` (a string or a mobject) at the top; replaces the previous title."""
        mobject = glyphs(title, font_size, self.theme.color("ink")) if isinstance(title, str) else title
        mobject = fit_width(mobject, self.camera.frame_width - 2 * MARGIN)
        mobject.to_edge(UP, buff=MARGIN)
        if self.title_mobject is not None:
            self.remove(self.title_mobject)
        self.add(mobject)
        self.title_mobject = mobject
        return mobject

    def caption_for(self, text: str) -> Mobject:
        """The caption mobject of ``text``: wrapped to two lines at most, above the bottom edge."""
        width = self.camera.frame_width - 2 * MARGIN
        mobject = wrapped_text(text, width, font_size=CAPTION_SIZE, color=self.theme.color("ink"))
        return mobject.to_edge(DOWN, buff=MARGIN)

    def content_area(self) -> tuple:
        """``(width, height, centre)`` of the frame between the title and the caption bands."""
        width = self.camera.frame_width - 2 * MARGIN
        top = self.camera.frame_height / 2 - TITLE_BAND
        bottom = -self.camera.frame_height / 2 + CAPTION_BAND
        return width, top - bottom, np.array([0.0, (top + bottom) / 2, 0.0])

    def fit(self, mobject: Mobject, *, max_scale: float = 1.0) -> Mobject:
        """Scale ``mobject`` down (never up beyond ``max_scale``) into the content area, centred."""
        width, height, centre = self.content_area()
        return fit_into(mobject, width, height, max_scale=max_scale).move_to(centre)

    def fit_padded(self, mobject: Mobject, *, pad: float = 0.15, max_scale: float = 1.0) -> Mobject:
        """:meth:`fit` leaving ``pad`` units free above and below (so a two-line caption never touches it)."""
        width, height, centre = self.content_area()
        return fit_into(mobject, width, height - 2 * pad, max_scale=max_scale).move_to(centre)


def fit_width(mobject: Mobject, width: float) -> Mobject:
    """Scale ``mobject`` down to ``width`` when wider."""
    if mobject.width > width:
        mobject.scale_to_fit_width(width)
    return mobject


def fit_into(mobject: Mobject, width: float, height: float, *, max_scale: float = 1.0) -> Mobject:
    """Scale ``mobject`` so it fits in ``width`` x ``height`` (never enlarged beyond ``max_scale``)."""
    if mobject.width == 0 or mobject.height == 0:
        return mobject
    factor = min(width / mobject.width, height / mobject.height, max_scale)
    return mobject.scale(factor)


def wrapped_text(text: str, width: float, *, font_size: float = CAPTION_SIZE, color: str = "#222222",
                 max_lines: int = 2) -> VGroup:
    """``text`` in centred lines no wider than ``width``; the font shrinks if it needs more lines.

    The group keeps the whole string in ``text`` (tests read it).
    """
    size = font_size
    while True:
        full = glyphs(text, size, color)
        per_char = full.width / max(len(text), 1)
        chars = max(int(width / per_char), 8)
        lines = textwrap.wrap(text, chars) or [""]
        group = VGroup(*(glyphs(line, size, color) for line in lines)).arrange(DOWN, buff=0.12)
        if (len(lines) <= max_lines and group.width <= width) or size <= 16:
            fit_width(group, width)
            group.text = text
            return group
        size -= 2


def options_from_environment(scene_class, environ=None) -> dict:
    """The one environment adapter: ``VIZDL_RUN``, ``VIZDL_PACE`` and ``VIZDL_OPTIONS``.

    Only options the scene declares are read; ``VIZDL_OPTIONS`` holds ``key=value`` pairs
    separated by commas. An unknown key raises ``ValueError`` naming the scene's options.
    """
    environ = os.environ if environ is None else environ
    pairs = {}
    if environ.get(ENV_RUN) and "run" in scene_class.options:
        pairs["run"] = environ[ENV_RUN]
    if environ.get(ENV_PACE):
        pairs["pace"] = environ[ENV_PACE]
    for item in filter(None, (s.strip() for s in environ.get(ENV_OPTIONS, "").split(","))):
        key, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"{ENV_OPTIONS}: {item!r} is not key=value")
        pairs[key.strip()] = value.strip()
    unknown = sorted(set(pairs) - set(scene_class.options))
    if unknown:
        raise ValueError(f"{ENV_OPTIONS}: {scene_class.__name__} has no option(s) {', '.join(unknown)}; "
                         f"options: {', '.join(scene_class.options)}")
    return {k: scene_class.parse_option(k, v) for k, v in pairs.items()}


__all__ = ["Beat", "LectureScene", "Play", "fit_into", "fit_width", "options_from_environment", "slug",
           "wrapped_text"]
