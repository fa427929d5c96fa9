; Windows setup of the union clerk app (工会会员专享保障参保客户端), NSIS 3 (makensis).
;
; Per-user: installs into %LOCALAPPDATA%\Programs\UnionClerk without administrator rights,
; Start-menu and desktop shortcuts, an entry in 应用和功能 (HKCU), and an uninstaller that keeps
; the clerk's data (members, backups, logs) unless she ticks the box (or IT passes /REMOVEDATA).
;
; Build (installer/README.md):
;   makensis /DVERSION=0.1.0 /DPAYLOAD=dist\union-clerk /DOUTFILE=dist\union-clerk-0.1.0-setup.exe
;            [/DSITE_CONFIG=path\to\union-clerk-site.ini] [/DSITE_CA=path\to\city-root-ca.pem]
;            installer\windows\union-clerk.nsi
; Relative paths are read from this folder (makensis changes into it). PAYLOAD is PyInstaller's one-folder build (installer/union-clerk.spec). SITE_CONFIG / SITE_CA
; bake IT's site configuration into the setup; a union-clerk-site.ini (and *.pem) placed beside
; the setup program when it runs is copied too, so IT can also configure without rebuilding.
; Silent install for IT: union-clerk-setup.exe /S. Silent uninstall: uninstall.exe /S [/REMOVEDATA].

Unicode true
ManifestDPIAware true
RequestExecutionLevel user
!ifdef NOCOMPRESS
  SetCompress off  ; make dist's stand-in build: proves the script compiles, in seconds
!else
  SetCompressor /SOLID lzma
!endif

!ifndef VERSION
  !define VERSION "0.0.0"
!endif
!ifndef PAYLOAD
  !error "Pass /DPAYLOAD=<PyInstaller one-folder build, e.g. dist\union-clerk>"
!endif
!ifndef OUTFILE
  !define OUTFILE "union-clerk-${VERSION}-setup.exe"
!endif
!ifndef ICON
  !define ICON "../../resources/icons/union-clerk.ico"  ; makensis runs in this folder
!endif

!define APP_NAME "工会会员专享保障参保"
!define APP_ID "UnionClerk"
!define APP_EXE "union-clerk.exe"
!define PUBLISHER "上海市总工会"
!define SITE_FILE "union-clerk-site.ini"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP_ID}"
; The clerk's data: platformdirs' user_data_dir("UnionClerk", "ShanghaiUnion") (app/paths.py)
; and QSettings' registry key (organisation ShanghaiUnion, application UnionClerk).
!define DATA_DIR "$LOCALAPPDATA\ShanghaiUnion\UnionClerk"
!define SETTINGS_KEY "Software\ShanghaiUnion\UnionClerk"

Name "${APP_NAME}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${APP_ID}"
InstallDirRegKey HKCU "Software\${APP_ID}" "InstallDir"
BrandingText "${APP_NAME} ${VERSION}"

!include "MUI2.nsh"
!include "FileFunc.nsh"
!include "nsDialogs.nsh"
!include "LogicLib.nsh"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\${APP_EXE}"
!define MUI_FINISHPAGE_RUN_TEXT "现在启动 ${APP_NAME}"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
UninstPage custom un.DataPage un.DataPageLeave
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "SimpChinese"

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "ProductName" "${APP_NAME}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "FileDescription" "${APP_NAME} 安装程序"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "LegalCopyright" "${PUBLISHER}"

Section "程序" SecMain
  SectionIn RO
  SetShellVarContext current
  SetOutPath "$INSTDIR"
  ; An update replaces the program files; the clerk's data lives elsewhere (DATA_DIR).
  RMDir /r "$INSTDIR\_internal"
  File /r "${PAYLOAD}\*"

  ; The site configuration: baked into this setup by IT, or lying beside the setup program.
!ifdef SITE_CONFIG
  File "/oname=${SITE_FILE}" "${SITE_CONFIG}"
!endif
!ifdef SITE_CA
  File "${SITE_CA}"
!endif
  ${If} ${FileExists} "$EXEDIR\${SITE_FILE}"
    CopyFiles /SILENT "$EXEDIR\${SITE_FILE}" "$INSTDIR\${SITE_FILE}"
    CopyFiles /SILENT "$EXEDIR\*.pem" "$INSTDIR"
  ${EndIf}

  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateDirectory "$SMPROGRAMS\${APP_NAME}"
  CreateShortcut "$SMPROGRAMS\${APP_NAME}\${APP_NAME}.lnk" "$INSTDIR\${APP_EXE}" "" "$INSTDIR\${APP_EXE}" 0
  CreateShortcut "$SMPROGRAMS\${APP_NAME}\卸载 ${APP_NAME}.lnk" "$INSTDIR\uninstall.exe"
  CreateShortcut "$DESKTOP\${APP_NAME}.lnk" "$INSTDIR\${APP_EXE}" "" "$INSTDIR\${APP_EXE}" 0

  WriteRegStr HKCU "Software\${APP_ID}" "InstallDir" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${APP_NAME}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${APP_EXE}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "EstimatedSize" "$0"
SectionEnd

; ---- uninstaller -------------------------------------------------------------------------------

Var RemoveData
Var RemoveDataBox

Function un.onInit
  StrCpy $RemoveData 0
  ${GetParameters} $0
  ClearErrors
  ${GetOptions} $0 "/REMOVEDATA" $1
  ${IfNot} ${Errors}
    StrCpy $RemoveData 1
  ${EndIf}
FunctionEnd

Function un.DataPage
  !insertmacro MUI_HEADER_TEXT "本机数据" "卸载程序默认保留您的工会数据。"
  nsDialogs::Create 1018
  Pop $0
  ${NSD_CreateLabel} 0 0 100% 48u "会员名单、参保记录、备份和日志保存在：$\r$\n${DATA_DIR}$\r$\n$\r$\n卸载程序只删除程序本身；以后重新安装，数据仍在。尚未同步到服务器的修改只保存在这里。"
  Pop $0
  ${NSD_CreateCheckbox} 0 56u 100% 12u "同时删除本机的工会数据（无法恢复）"
  Pop $RemoveDataBox
  ${If} $RemoveData == 1
    ${NSD_Check} $RemoveDataBox
  ${EndIf}
  nsDialogs::Show
FunctionEnd

Function un.DataPageLeave
  ${NSD_GetState} $RemoveDataBox $RemoveData
  ${If} $RemoveData == ${BST_CHECKED}
    MessageBox MB_YESNO|MB_ICONEXCLAMATION|MB_DEFBUTTON2 "确定删除本机的全部工会数据吗？尚未同步到服务器的修改将永久丢失。" IDYES +2
      Abort
    StrCpy $RemoveData 1
  ${Else}
    StrCpy $RemoveData 0
  ${EndIf}
FunctionEnd

Section "Uninstall"
  SetShellVarContext current
  Delete "$DESKTOP\${APP_NAME}.lnk"
  RMDir /r "$SMPROGRAMS\${APP_NAME}"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\union-clerk.exe"
  Delete "$INSTDIR\union-clerk-cli.exe"
  Delete "$INSTDIR\${SITE_FILE}"
  Delete "$INSTDIR\*.pem"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  DeleteRegKey HKCU "Software\${APP_ID}"
  ${If} $RemoveData == 1
    RMDir /r "${DATA_DIR}"
    RMDir "$LOCALAPPDATA\ShanghaiUnion"
    DeleteRegKey HKCU "${SETTINGS_KEY}"
  ${EndIf}
SectionEnd
