// Package access holds the roles of API.md, the Actor (who is calling), and
// the data-scope rules of REQUIREMENTS R6.1. Domain services ask these rules on
// every read, list and write; handlers never decide scope themselves.
package access

import "strings"

// Role is one of the fixed roles of API.md.
type Role string

const (
	CityAdmin        Role = "city_admin"
	DistrictStaff    Role = "district_staff"
	StreetStaff      Role = "street_staff"
	SpecialisedStaff Role = "specialised_staff"
	DepartmentStaff  Role = "department_staff"
	HotlineOperator  Role = "hotline_operator"
	InstitutionStaff Role = "institution_staff"
	Enterprise       Role = "enterprise"
	Auditor          Role = "auditor"
)

// Roles lists every role in a stable order (menus, forms, tests).
var Roles = []Role{CityAdmin, DistrictStaff, StreetStaff, SpecialisedStaff, DepartmentStaff,
	HotlineOperator, InstitutionStaff, Enterprise, Auditor}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// Staff reports whether the role is a staff role (stricter passwords, two-factor).
// Every role but enterprise is staff.
func (r Role) Staff() bool { return r.Valid() && r != Enterprise }

// OrgKind says what kind of organisation code a role's users belong to.
type OrgKind string

const (
	OrgNone        OrgKind = ""            // the role may name an org but needs none
	OrgPlatform    OrgKind = "platform"    // a platform of a given tier
	OrgDepartment  OrgKind = "department"  // a department
	OrgInstitution OrgKind = "institution" // a service institution
	OrgEnterprise  OrgKind = "enterprise"  // a unified social credit code
	// OrgRegion is never a role's required kind; roles bound to no kind
	// may name a region.
	OrgRegion OrgKind = "region"
)

// OrgKind returns the kind of org a role is bound to.
func (r Role) OrgKind() OrgKind {
	switch r {
	case DistrictStaff, StreetStaff, SpecialisedStaff:
		return OrgPlatform
	case DepartmentStaff:
		return OrgDepartment
	case InstitutionStaff:
		return OrgInstitution
	case Enterprise:
		return OrgEnterprise
	}
	return OrgNone
}

// PlatformTier is the platform tier a platform role must belong to.
func (r Role) PlatformTier() string {
	switch r {
	case DistrictStaff:
		return "district"
	case StreetStaff:
		return "street"
	case SpecialisedStaff:
		return "specialised"
	}
	return ""
}

// Actor is the caller of a domain operation: a logged-in user, a token's
// user, or the system itself (CLI, background jobs).
type Actor struct {
	UserID   int64
	Username string
	Role     Role
	OrgCode  string
	// PlatformPath is the materialised path of the user's platform
	// ("/P370200/P370202/"), set for platform roles; it bounds their scope.
	PlatformPath string
	// RegionCode is the region of the user's platform (platform roles): the
	// enterprises they serve are those registered in it.
	RegionCode string
	IP         string
	RequestID  string
	System     bool
}

// SystemActor acts for the CLI and background jobs: full rights, audited
// under the given name.
func SystemActor(name string) Actor {
	return Actor{Username: name, Role: CityAdmin, System: true}
}

// IsAdmin reports whether the actor may administer the network.
func (a Actor) IsAdmin() bool { return a.Role == CityAdmin }

// ReadsAll reports whether the actor may read everything (city admin, auditor,
// hotline operators, who serve callers from anywhere).
func (a Actor) ReadsAll() bool {
	return a.Role == CityAdmin || a.Role == Auditor || a.Role == HotlineOperator
}

// PlatformScope bounds which platforms a list returns. The zero value
// means none.
type PlatformScope struct {
	All        bool
	PathPrefix string
}

// None reports whether the scope admits nothing.
func (s PlatformScope) None() bool { return !s.All && s.PathPrefix == "" }

// Admits reports whether a platform with the given path is inside the scope.
func (s PlatformScope) Admits(path string) bool {
	return s.All || (s.PathPrefix != "" && strings.HasPrefix(path, s.PathPrefix))
}

// Platforms is the actor's platform scope: everything for roles that read
// everything, its platform and the platforms below it for platform staff,
// nothing for others.
func (a Actor) Platforms() PlatformScope {
	if a.ReadsAll() {
		return PlatformScope{All: true}
	}
	if a.Role.OrgKind() == OrgPlatform && a.PlatformPath != "" {
		return PlatformScope{PathPrefix: a.PlatformPath}
	}
	return PlatformScope{}
}

// SeesNetwork reports whether the actor may read the shared reference data
// of the network (regions, departments, standards): every staff role.
func (a Actor) SeesNetwork() bool { return a.Role.Staff() }

// ReadsAudit reports whether the actor may read the audit log.
func (a Actor) ReadsAudit() bool { return a.Role == CityAdmin || a.Role == Auditor }

// EnterpriseScope bounds which enterprises a list returns. The zero value
// means none.
type EnterpriseScope struct {
	All bool
	// RegionPrefix admits enterprises whose region code starts with it
	// (a city's four-digit prefix, a district's six digits, a street's nine).
	RegionPrefix string
	// USCC admits one enterprise (an enterprise's own user).
	USCC string
}

// None reports whether the scope admits nothing.
func (s EnterpriseScope) None() bool { return !s.All && s.RegionPrefix == "" && s.USCC == "" }

// Admits reports whether an enterprise is inside the scope.
func (s EnterpriseScope) Admits(uscc, regionCode string) bool {
	switch {
	case s.All:
		return true
	case s.USCC != "":
		return uscc == s.USCC
	case s.RegionPrefix != "":
		return strings.HasPrefix(regionCode, s.RegionPrefix)
	}
	return false
}

// RegionPrefix is the prefix shared by the codes of a region and every
// region inside it: a city's code without its trailing "00".
func RegionPrefix(code string) string {
	if len(code) == 6 && strings.HasSuffix(code, "00") {
		return code[:4]
	}
	return code
}

// Enterprises is the actor's enterprise scope: everything for roles that
// read everything; the region of its platform for platform staff; its own
// for an enterprise; nothing for others.
func (a Actor) Enterprises() EnterpriseScope {
	switch {
	case a.ReadsAll():
		return EnterpriseScope{All: true}
	case a.Role == Enterprise && a.OrgCode != "":
		return EnterpriseScope{USCC: a.OrgCode}
	case a.Role.OrgKind() == OrgPlatform && a.RegionCode != "":
		return EnterpriseScope{RegionPrefix: RegionPrefix(a.RegionCode)}
	}
	return EnterpriseScope{}
}
