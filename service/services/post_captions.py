"""A campaign post's caption per platform, and the alt text of each of its images.

A caption is the post's hand-written one for the platform (``post.captions``), checked, or
one composed from the platform's post template (``captions.DEFAULT_POST_TEMPLATES``) with the
first image's fields (as an asset's caption has them: ``captioning.fields_of``), the
campaign's hashtag (and cause tag), the day's hashtag and theme, and ``{credits}``: the
credit line the policy requires for each image, once each, in media order. Either way the
verdict names every credit the text lacks. The audit, the bundle and the post editor all
read captions here, so that they agree.

What a post needs of its assets is read once for many posts (``sources_of``): the post's
media come with their assets, and the assets with their rights records and tags, a
statement per kind of row whatever the number of posts (the relationships load them in
batches); the credit policy is read once per session.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from service.rules import captions, credits
from service.services.captioning import fields_of
from service.services.rights import current_policy, policy_rules, rights_of
from service.storage.models import Asset, Campaign, CampaignDay, Post, RightsRecord


@dataclass(frozen=True)
class Source:
    """What a post's captions, alt text and audit need of one asset, read once."""

    asset: Asset
    record: RightsRecord
    rule: credits.CreditRule | None
    tags: tuple[str, ...]

    @property
    def credit_line(self) -> str:
        """The credit line the policy requires for the asset (else the record's own)."""
        return credits.required_credit_line(self.rule, self.record.credit_line)


@dataclass(frozen=True)
class PostCaption:
    """A post's caption for one platform, counted as the platform counts, with its credits.

    ``credits`` are the credit lines the post's images require, once each, in media order;
    ``missing_credits`` those the text does not carry word for word.
    """

    platform: str
    mode: Literal["manual", "template"]
    text: str
    length: int
    limit: int
    fits: bool
    shortened: tuple[str, ...]  # what composing cut: "description", "hashtags"
    problems: tuple[str, ...]  # sentences for people: length, bytes, credits
    credits: tuple[str, ...]
    missing_credits: tuple[str, ...]
    caption: captions.Caption  # the rules' verdict, for the checks that take one


@dataclass(frozen=True)
class AltText:
    """An image's alt text in a post: the post's own, else the asset's."""

    position: int  # from 0, in carousel order
    asset_id: int
    text: str
    from_post: bool


def sources_of(session: Session, posts: Iterable[Post]) -> dict[int, Source]:
    """Each asset of these posts' media, with its rights record, the policy's rule for its
    holder and its tags, by asset id. Reads nothing asset by asset: the media were loaded
    with their assets, and the assets with their rights and tags."""
    rules = policy_rules(current_policy(session))
    by_holder: dict[str, credits.CreditRule | None] = {}
    found: dict[int, Source] = {}
    for post in posts:
        for item in post.media:
            asset = item.asset
            if asset.id in found:
                continue
            record = rights_of(session, asset)
            if record.holder not in by_holder:
                by_holder[record.holder] = credits.find_rule(rules, record.holder)
            found[asset.id] = Source(asset, record, by_holder[record.holder], tuple(asset.tags))
    return found


def credit_lines(post: Post, sources: Mapping[int, Source]) -> list[str]:
    """The credit line each image requires, in media order (blank where none is known; a
    repeat stays, so that the rules can name the image)."""
    return [sources[item.asset_id].credit_line for item in post.media]


def post_fields(campaign: Campaign, day: CampaignDay, first: Source | None) -> dict[str, str]:
    """The values a post template may use: the first image's fields (empty without one),
    the campaign's hashtag with its cause tag, the day's hashtag and theme."""
    fields = (
        fields_of(first.asset, first.record, first.rule, tags=first.tags)
        if first is not None
        else {}
    )
    tags = " ".join(tag for tag in (campaign.hashtag, campaign.cause_tag) if tag)
    return {**fields, "campaign_hashtag": tags, "day_hashtag": day.hashtag, "theme": day.theme}


def caption_of(
    post: Post, platform: str, campaign: Campaign, sources: Mapping[int, Source]
) -> PostCaption:
    """The post's caption for the platform: its hand-written text checked, or the post
    template filled and fitted; the verdict names each credit the text lacks."""
    lines = credit_lines(post, sources)
    written = post.captions.get(platform)
    mode: Literal["manual", "template"]
    if isinstance(written, str):
        mode, caption = "manual", captions.check_caption(written, platform, lines)
    else:
        first = sources[post.media[0].asset_id] if post.media else None
        fields = post_fields(campaign, post.day, first)
        template = captions.DEFAULT_POST_TEMPLATES[platform]
        mode, caption = "template", captions.compose_post_caption(template, fields, lines, platform)
    return PostCaption(
        platform=platform,
        mode=mode,
        text=caption.text,
        length=caption.length,
        limit=caption.limit,
        fits=caption.fits,
        shortened=tuple(caption.shortened),
        problems=tuple(caption.problems),
        credits=tuple(captions.unique_credits(lines)),
        missing_credits=tuple(captions.check_caption_credits(caption.text, lines)),
        caption=caption,
    )


def alt_texts_of(post: Post) -> list[AltText]:
    """Each image's alt text in media order: the post's own where written, else the asset's."""
    return [
        AltText(
            position=item.position,
            asset_id=item.asset_id,
            text=item.alt_text if item.alt_text is not None else item.asset.alt_text,
            from_post=item.alt_text is not None,
        )
        for item in post.media
    ]


def captions_of(
    session: Session, campaign: Campaign, post: Post, platforms: Sequence[str] | None = None
) -> dict[str, PostCaption]:
    """The post's caption on each of its platforms (or those given), for one post (the
    post editor); the audit and the bundle read many posts' sources at once."""
    sources = sources_of(session, [post])
    chosen = post.platforms if platforms is None else platforms
    return {platform: caption_of(post, platform, campaign, sources) for platform in chosen}
