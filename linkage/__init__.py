"""Privacy-preserving record linkage for partner agencies and the linkage unit.

An agency normalizes its identifiers, derives keyed-hash match keys
(:func:`prepare_submission`) and sends sealed packages; the linkage unit links
the match keys of several agencies pass by pass, one-to-one
(:func:`link_submissions`), and sends the enclave a :class:`LinkageMap` and a
:class:`QualityReport`. An agency fetches the enclave's public keys
(:func:`verify_published_keys`), runs the identification-risk pre-check while
preparing (:class:`RiskPrecheck`) and uploads with :class:`EnclaveClient`.
Nothing here imports the enclave service, Flask, a database, SDV or an HTTP
library beyond the standard one, so an agency can install this package alone.
"""

from __future__ import annotations

from linkage.errors import (
    BadSignatureError,
    ColumnMismatchError,
    CorruptedPayloadError,
    EncodingError,
    InputFileError,
    KeyFileError,
    LinkageError,
    LinkingError,
    MalformedManifestError,
    NotAuthorizedError,
    PackageError,
    PolicyError,
    PublicKeyMismatchError,
    ReplayedPackageError,
    ServerError,
    TlsError,
    TransferError,
    TruncatedPackageError,
    UnexpectedPackageError,
    UnknownSignerError,
    UnreachableError,
    UploadConflictError,
    UploadRefusedError,
    UploadTooLargeError,
    WrongProjectError,
    WrongRecipientError,
)
from linkage.ground_truth import LinkageAccuracy, score_linkage
from linkage.linkage_map import LINKAGE_MAP_SCHEMA, LinkageMap
from linkage.linkage_unit import MatchKeySubmission, link_match_keys, link_submissions
from linkage.match_keys import (
    MatchKeyer,
    derive_match_keys,
    derive_project_key,
    encode_fields,
    hmac_messages,
)
from linkage.normalize import MatchFields, derive_match_fields
from linkage.partner import PreparationReport, PreparedSubmission, prepare_submission
from linkage.party_keys import (
    PartyKeys,
    fingerprint,
    generate_linkage_secret,
    generate_party_keys,
    load_linkage_secret,
    load_party_keys,
    load_sealing_public_key,
    load_signing_public_key,
    save_linkage_secret,
    save_party_keys,
)
from linkage.policy import (
    DatasetSchema,
    IdentifierPolicies,
    MatchKeyScheme,
    MatchPass,
    PrecheckSpec,
    load_identifier_policies,
)
from linkage.precheck import EquivalenceClassCounter, RiskPrecheck, measure_identification_risk
from linkage.published_keys import PublishedKey, save_published_keys, verify_published_keys
from linkage.quality import PairRate, PassResult, QualityReport
from linkage.sealing import (
    OpenedPackage,
    PackageManifest,
    open_package,
    read_manifest,
    read_manifest_file,
    seal_package,
    table_to_parquet_bytes,
    verify_signature,
)
from linkage.synth import SyntheticData, generate_agency_data, write_synthetic_data
from linkage.transfer import EnclaveClient, UploadReceipt

__all__ = [
    "LINKAGE_MAP_SCHEMA",
    "BadSignatureError",
    "ColumnMismatchError",
    "CorruptedPayloadError",
    "DatasetSchema",
    "EnclaveClient",
    "EncodingError",
    "EquivalenceClassCounter",
    "IdentifierPolicies",
    "InputFileError",
    "KeyFileError",
    "LinkageAccuracy",
    "LinkageError",
    "LinkageMap",
    "LinkingError",
    "MalformedManifestError",
    "MatchFields",
    "MatchKeyScheme",
    "MatchKeySubmission",
    "MatchKeyer",
    "MatchPass",
    "NotAuthorizedError",
    "OpenedPackage",
    "PackageError",
    "PackageManifest",
    "PairRate",
    "PartyKeys",
    "PassResult",
    "PolicyError",
    "PrecheckSpec",
    "PreparationReport",
    "PreparedSubmission",
    "PublicKeyMismatchError",
    "PublishedKey",
    "QualityReport",
    "ReplayedPackageError",
    "RiskPrecheck",
    "ServerError",
    "SyntheticData",
    "TlsError",
    "TransferError",
    "TruncatedPackageError",
    "UnexpectedPackageError",
    "UnknownSignerError",
    "UnreachableError",
    "UploadConflictError",
    "UploadReceipt",
    "UploadRefusedError",
    "UploadTooLargeError",
    "WrongProjectError",
    "WrongRecipientError",
    "derive_match_fields",
    "derive_match_keys",
    "derive_project_key",
    "encode_fields",
    "fingerprint",
    "generate_agency_data",
    "generate_linkage_secret",
    "generate_party_keys",
    "hmac_messages",
    "link_match_keys",
    "link_submissions",
    "load_identifier_policies",
    "load_linkage_secret",
    "load_party_keys",
    "load_sealing_public_key",
    "load_signing_public_key",
    "measure_identification_risk",
    "open_package",
    "prepare_submission",
    "read_manifest",
    "read_manifest_file",
    "save_linkage_secret",
    "save_party_keys",
    "save_published_keys",
    "score_linkage",
    "seal_package",
    "table_to_parquet_bytes",
    "verify_published_keys",
    "verify_signature",
    "write_synthetic_data",
]
