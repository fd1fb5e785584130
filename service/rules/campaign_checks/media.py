"""The checks of a post's images: each asset still there, each preset within what the platform
takes, how many images, and their shapes as rendered."""

from __future__ import annotations

from service.rules import captions
from service.rules.audit import Finding
from service.rules.campaign_checks.posts import Medium, PostOnPlatform
from service.rules.campaign_checks.results import Fix, Result, judged


def asset_live(post: PostOnPlatform, medium: Medium) -> Result:
    """The image's asset still exists (it may have been deleted since it was planned)."""
    if medium.live:
        finding = Finding("asset_live", "pass", "live", "The asset is in the library.")
    else:
        reason = f"Image {medium.position + 1}'s asset {medium.asset_id} was deleted: replace it."
        finding = Finding("asset_live", "fail", "deleted", reason)
    fix = Fix("post_media", post.post_id, medium.asset_id, None, medium.position, "media")
    return judged(post, medium.position, "media", finding, fix)


def preset_fits_platform(post: PostOnPlatform, medium: Medium) -> Result:
    """The image's preset is in force, and its size and byte budget are within what the
    platform takes (an admin may have changed a preset)."""
    name = "preset_fits_platform"
    shown = captions.PLATFORMS[post.platform].name
    fix = Fix("post_media", post.post_id, medium.asset_id, post.platform, medium.position,
              "presets")  # fmt: skip
    preset = medium.preset
    if preset is None:
        reason = f"There is no preset {medium.preset_name!r} for image {medium.position + 1}."
        return judged(post, medium.position, "media", Finding(name, "fail", "no_preset", reason),
                       fix)  # fmt: skip
    form = _image_format(post)
    problems = []
    cap = form.max_bytes if form is not None else None
    if cap is not None and (preset.max_bytes is None or preset.max_bytes > cap):
        budget = "no byte budget" if preset.max_bytes is None else f"{preset.max_bytes:,} B"
        problems.append(f"its budget ({budget}) is over {shown}'s {cap:,} B")
    if form is not None and form.max_edge is not None:
        edge = max(medium.rendered_size or (preset.width, preset.height))
        if edge > form.max_edge:
            problems.append(f"its {edge:,} px edge is over {shown}'s {form.max_edge:,} px")
    if problems:
        reason = f"The preset {preset.name!r}: " + "; ".join(problems) + ": choose another."
        return judged(post, medium.position, "media", Finding(name, "fail", "over_limit", reason),
                       fix)  # fmt: skip
    reason = f"{preset.name} is within what {shown} takes."
    return judged(post, medium.position, "media", Finding(name, "pass", "within", reason), None)


def media_count_within_limit(post: PostOnPlatform) -> Result:
    """The post carries no more images than the platform takes in one post (on Bluesky, in
    the embed it uses: 4 in ``app.bsky.embed.images``, 10 in ``app.bsky.embed.gallery``)."""
    name = "media_count_within_limit"
    count = len(post.media)
    platform = captions.PLATFORMS[post.platform]
    fix = Fix("post_media", post.post_id, None, post.platform, None, "media")
    if count == 0:
        reason = f"The post has no images; a {platform.name} post of the campaign shows one."
        return judged(post, None, "media", Finding(name, "warn", "no_media", reason), fix)
    formats = platform.image_formats
    if not formats:
        reason = f"{count} image(s); no limit is known for {platform.name}."
        return judged(post, None, "media", Finding(name, "pass", "no_limit", reason), None)
    most = max(form.max_images for form in formats)
    chosen = (
        captions.image_format(post.platform, post.embed)
        if post.embed is not None
        else captions.image_format_for(post.platform, count)
    )
    if chosen is None or count > chosen.max_images:
        held_by = captions.image_format_for(post.platform, count)
        if chosen is not None and held_by is not None:
            reason = (
                f"{count} images: {_format_name(post.platform, chosen)} takes at most"
                f" {chosen.max_images}. Use {_format_name(post.platform, held_by)} (up to"
                f" {held_by.max_images}), or split the post."
            )
        else:
            reason = (
                f"{count} images: {platform.name} takes at most {most} in one post; split the post."
            )
        return judged(post, None, "media", Finding(name, "fail", "too_many", reason), fix)
    reason = f"{count} of {chosen.max_images} images"
    if len(formats) > 1:
        reason += f" in {_format_name(post.platform, chosen)}"
    return judged(post, None, "media", Finding(name, "pass", "within", reason + "."), None)


def aspect_ratio_results(post: PostOnPlatform) -> list[Result]:
    """Each image's shape as rendered: within the platform's range, and in a carousel whose
    first image sets the shape of all (Instagram), the first one's shape."""
    sized = [(medium, medium.rendered_size) for medium in post.media]
    known = [(medium, size) for medium, size in sized if size is not None]
    problems = {
        problem.position: problem
        for problem in captions.aspect_ratio_problems(post.platform, [s for _, s in known])
    }
    results = []
    for index, (medium, size) in enumerate(known, 1):
        fix = Fix("post_media", post.post_id, medium.asset_id, post.platform, medium.position,
                  "presets")  # fmt: skip
        problem = problems.get(index)
        if problem is None:
            width, height = size
            shape = f"{width}x{height} ({width / height:.2f}:1)"
            reason = f"{shape} as {medium.preset_name} renders it."
            finding = Finding("aspect_ratio_accepted", "pass", "accepted", reason)
            results.append(judged(post, medium.position, "media", finding, None))
            continue
        code = "out_of_range" if problem.status == "fail" else "unlike_first"
        # The rules number the images they were given; say which image of the post it is.
        reason = problem.reason.replace(f"Image {index} ", f"Image {medium.position + 1} ", 1)
        finding = Finding("aspect_ratio_accepted", problem.status, code, reason)
        results.append(judged(post, medium.position, "media", finding, fix))
    return results


def _image_format(post: PostOnPlatform) -> captions.ImageFormat | None:
    if post.embed is not None:
        return captions.image_format(post.platform, post.embed)
    return captions.image_format_for(post.platform, max(1, len(post.media)))


def _format_name(platform: str, form: captions.ImageFormat) -> str:
    if platform == "bluesky":
        return f"app.bsky.embed.{form.name}"
    return f"{captions.PLATFORMS[platform].name}'s {form.name.replace('_', ' ')}"
