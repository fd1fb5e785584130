"""The rights checks, image by image: the asset audit's own (``rules/audit.CHECKS``), run on
each image with the post's caption and the image's alt text (and the consent of the people
it shows, in a group of its own), and the credit of each image in the post's caption."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date

from service.rules import audit, credits
from service.rules.audit import Finding
from service.rules.campaign_checks.posts import Medium, PostOnPlatform
from service.rules.campaign_checks.results import Fix, FixKind, Group, Result, judged

# The asset audit's checks, the group of the grid each belongs to, and the field that fixes a
# failure. The caption's length is judged once for the post (``caption_within_limit``), and
# each image's credit by ``credit_in_caption``, which knows the post's other credits.
_OWN_CHECKS: Mapping[str, tuple[Group, FixKind, str]] = {
    "rights_status_cleared": ("rights", "asset_rights", "status"),
    "licence_allows_channel": ("rights", "asset_rights", "channels"),
    "not_embargoed": ("rights", "asset_rights", "embargo_until"),
    "not_expired": ("rights", "asset_rights", "expires_at"),
    "holder_known_to_policy": ("rights", "asset_rights", "holder"),
    "credit_line_in_embedded_metadata": ("rights", "asset", "metadata"),
    "people_consent": ("people", "asset_people", "people"),
    "alt_text_present": ("alt_text", "post_alt_text", "alt_text"),
}


def rights_checks(post: PostOnPlatform, medium: Medium) -> list[Result]:
    """The asset audit's checks on one image, as this post carries it on this platform."""
    subject = medium.subject
    results = []
    for check in audit.CHECKS:
        placed = _OWN_CHECKS.get(check.__name__)
        if placed is None:
            continue
        if check is audit.not_expired and post.post_date and post.post_date > subject.today:
            # The licence must run until the post goes out, not only until today.
            finding = _by_post_date(replace(subject, today=post.post_date), post.post_date)
        elif check is audit.people_consent and post.post_date and post.post_date > subject.today:
            # So must the consents: one withdrawn today or ending before then does not cover it.
            finding = _consent_by_post_date(replace(subject, today=post.post_date), post.post_date)
        else:
            finding = check(subject)
        group, kind, field = placed
        fix = _own_fix(post, medium, kind, field, finding)
        results.append(judged(post, medium.position, group, finding, fix))
    return results


def _by_post_date(subject: audit.AuditInput, on: date) -> Finding:
    """``not_expired`` on the day the post goes out, saying so."""
    finding = audit.not_expired(subject)
    if finding.status == "fail":
        reason = f"{finding.reason[:-1]}, before the post goes out on {on.isoformat()}."
        return replace(finding, reason=reason)
    return finding


def _consent_by_post_date(subject: audit.AuditInput, on: date) -> Finding:
    """``people_consent`` on the day the post goes out, saying so when it fails."""
    finding = audit.people_consent(subject)
    if finding.status == "fail" and finding.code == "consent_missing":
        return replace(finding, reason=f"On {on.isoformat()}, when the post goes out: "
                                       f"{finding.reason}")  # fmt: skip
    return finding


def _own_fix(
    post: PostOnPlatform, medium: Medium, kind: FixKind, field: str, finding: Finding
) -> Fix:
    if finding.code == "no_licence":
        field = "licence_uri"
    elif finding.code == "no_credit_line":  # the record lacks it, not the file
        kind, field = "asset_rights", "credit_line"
    if kind == "post_alt_text":
        return Fix(kind, post.post_id, medium.asset_id, None, medium.position, field)
    return Fix(kind, asset_id=medium.asset_id, field=field)


def credit_in_caption(post: PostOnPlatform, medium: Medium) -> Result:
    """The post's caption carries this image's required credit line word for word (as the
    asset audit's ``credit_line_in_caption`` judges it). Another image's credit found in its
    place is not a "conflicting" credit: this one is simply missing."""
    name = "credit_line_in_caption"
    required = audit.required_credit(medium.subject)
    image = f"image {medium.position + 1}"
    if not required:
        reason = f"No credit line is known for {image}: give its rights a credit line."
        finding = Finding(name, "fail", "no_credit_line", reason)
        fix = Fix("asset_rights", asset_id=medium.asset_id, field="credit_line")
        return judged(post, medium.position, "caption", finding, fix)
    match = credits.match_credit(required, post.caption.text)
    fix = Fix("post_caption", post.post_id, medium.asset_id, post.platform, medium.position,
              "caption")  # fmt: skip
    if match.outcome == "exact":
        finding = Finding(name, "pass", "exact", f"The caption credits {image}: {required}")
        return judged(post, medium.position, "caption", finding, None)
    others = {
        credits.holder_of(audit.required_credit(other.subject))
        for other in post.media
        if other.position != medium.position
    } - {credits.holder_of(required)}
    if match.found is None or credits.holder_of(match.found) in others:
        reason = f'The caption lacks "{required}", the credit line of {image}.'
        finding = Finding(name, "fail", "missing", reason)
    else:
        finding = Finding(name, "fail", match.outcome, f"{match.reason} (The credit of {image}.)")
    return judged(post, medium.position, "caption", finding, fix)
